import { readEnv } from '@x/core/internal'
import { RalioConfigError } from './errors.js'

export const defaultBaseUrl = 'https://api.ralio.co'

/**
 * The API origin from the option, else `RALIO_API_URL`, else production. Plain `http://`
 * would send tokens and payment instructions in clear text, so it is refused unless the
 * host is this machine or the caller opted in.
 */
export function resolveBaseUrl(option: string | undefined, allowInsecureHttp = false): URL {
  const raw = option ?? readEnv('RALIO_API_URL') ?? defaultBaseUrl
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new RalioConfigError(`baseUrl "${raw}" is not an absolute URL (e.g. ${defaultBaseUrl})`, {
      code: 'invalid_base_url',
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RalioConfigError(`baseUrl must use https:// (got ${url.protocol}//)`, {
      code: 'invalid_base_url',
    })
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopback(url.hostname)) {
    throw new RalioConfigError(
      `Refusing plain http:// for ${url.host}: tokens and payment instructions would travel unencrypted. Use https://, or pass allowInsecureHttp: true if this network is trusted.`,
      { code: 'insecure_base_url' },
    )
  }
  if (url.search !== '' || url.hash !== '') {
    throw new RalioConfigError('baseUrl must not carry a query or fragment', { code: 'invalid_base_url' })
  }
  url.pathname = url.pathname.replace(/\/+$/, '')
  return url
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(host)
  )
}

/** An endpoint under the base URL, keeping any path prefix the base URL has. */
export function endpointUrl(baseUrl: URL, path: string): URL {
  return new URL(`${baseUrl.href.replace(/\/+$/, '')}${path}`)
}
