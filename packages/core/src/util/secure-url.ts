import { ErrorCode } from '../errors/error-code.js'
import type { Logger } from './logger.js'

/** What `secureUrl` hands its error factory: the shared code, the option, what to do. */
export interface UrlErrorDetails {
  code: typeof ErrorCode.invalidUrl | typeof ErrorCode.insecureUrl
  param: string
  hint: string
}

export interface SecureUrlOptions {
  /** The option the value came from, named in every message (`baseUrl`, `approvalPath`). */
  name: string
  /** Accept `http://` to a host other than this machine (a trusted private network). */
  allowInsecureHttp?: boolean | undefined
  /** A base URL takes no query or fragment; a request URL may carry a query. Default false. */
  allowQuery?: boolean
  /** Told once when `allowInsecureHttp` lets a plain-HTTP URL through. */
  logger?: Logger | undefined
  /** What the credentials are, for the messages: "tokens and payment instructions". */
  protects: string
  /**
   * The family's config error, given the message and its structured fields: `invalid_url`
   * for a value that is not a usable URL (bad syntax, scheme, user name, query),
   * `insecure_url` for plain HTTP that was not allowed.
   */
  error: (message: string, details: UrlErrorDetails) => Error
}

/**
 * The one URL policy of every SDK: `https://`, or `http://` only to this machine (a local
 * sandbox) unless `allowInsecureHttp` says the network is trusted; never a user name or
 * password (they would be sent, and shown wherever the URL is); no query or fragment in a
 * base URL. Returns the parsed URL; a base URL loses its trailing slashes.
 */
export function secureUrl(value: string | URL, options: SecureUrlOptions): URL {
  const { name } = options
  const fail = (what: string, hint: string, code: UrlErrorDetails['code'] = ErrorCode.invalidUrl) =>
    options.error(`${what} ${hint}`, { code, param: name, hint })
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // The value itself is not repeated: it may be a secret pasted into the wrong option.
    throw fail(`${name} is not an absolute URL;`, 'use e.g. https://api.example.com.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw fail(`${name} must use https:// (got ${url.protocol}//).`, 'Use an https:// URL.')
  }
  if (url.username !== '' || url.password !== '') {
    throw fail(
      `${name} must not contain a user name or password: it would be sent with every request and shown wherever the URL is printed.`,
      'Remove the "user:password@" part.',
    )
  }
  if (!options.allowQuery && (url.search !== '' || url.hash !== '')) {
    throw fail(`${name} must not carry a query or fragment (?… or #…).`, 'Remove them.')
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    if (!options.allowInsecureHttp) {
      throw fail(
        `Refusing plain HTTP for ${name} ${url.host}: ${options.protects} would travel unencrypted.`,
        'Use https://, or pass allowInsecureHttp: true if this network is trusted (plain HTTP is only allowed to this machine otherwise).',
        ErrorCode.insecureUrl,
      )
    }
    options.logger?.warn(
      `allowInsecureHttp: ${options.protects} are sent to ${url.host} over plain HTTP, unencrypted`,
    )
  }
  if (!options.allowQuery) url.pathname = url.pathname.replace(/\/+$/, '')
  return url
}

/**
 * True for a host that can only mean this machine: `localhost` itself, `127.0.0.0/8`,
 * `::1`, and IPv4-mapped `::ffff:127.x.y.z` (which URL parsing turns into hex,
 * `[::ffff:7f00:1]`). Not `*.localhost`: RFC 6761 asks resolvers to keep those on this
 * machine, but many send them to DNS, where anyone may answer. Not `localhost.` either.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost') return true
  if (/^127(\.\d{1,3}){3}$/.test(host)) return true
  // URL parsing already compressed `0:0:0:0:0:0:0:1` to `::1`.
  if (host === '::1') return true
  return /^::ffff:(127(\.\d{1,3}){3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(host)
}
