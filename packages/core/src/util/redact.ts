import { holdsSecret, scrubSecrets } from './secret-scope.js'

const REDACTED = '[redacted]'

/** Header names that carry credentials. Anything matching SECRET_NAME is redacted too. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'dpop',
  'cookie',
  'set-cookie',
  'x-api-key',
])

// Normalised (lower-case, separators removed) name fragments that mark a secret.
const SECRET_FRAGMENTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'assertion',
  'authorization',
  'dpop',
  'cookie',
  'apikey',
  'privatekey',
  'credential',
  'signature',
  'ticket',
]

/** JWK private members (`d`, RSA primes…) are secrets whatever the object around them. */
const JWK_PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])

/** Named like a secret but public by design: a DPoP nonce is sent back in the next proof. */
const PUBLIC_NAMES = new Set(['dpopnonce'])

export function isSecretName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (PUBLIC_NAMES.has(normalised)) return false
  return SECRET_FRAGMENTS.some((fragment) => normalised.includes(fragment))
}

// A parameter name that marks its value as a secret, inside free text.
const SECRET_PARAMETER = String.raw`[\w.-]*(?:token|secret|passw(?:or)?d|assertion|api[_-]?key|signature|credential|ticket)[\w.-]*`

// `Bearer abc`, `DPoP abc`, `Basic abc`, anything shaped like a JWT or a PEM key, and the
// value of a secret-named parameter (`access_token=abc`, `token="abc"`, `"client_secret": "abc"`),
// which servers echo in `WWW-Authenticate`, redirect URLs and error bodies.
const SECRET_VALUE_PATTERNS: [RegExp, string][] = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    '[redacted private key]',
  ],
  // Only a credential-shaped word after the scheme (8+ characters with a digit or punctuation,
  // as ids, secrets and JWTs have): prose such as "the DPoP proof is stale" stays readable.
  [/\b(Bearer|DPoP|Basic)\s+(?=[^\s,"']*[\d_:.+/=~-])[^\s,"']{8,}/gi, `$1 ${REDACTED}`],
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[redacted jwt]'],
  // Credentials in a URL's userinfo (`https://user:password@host`), as fetch errors quote the URL.
  [/\b([a-z][a-z\d+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  [new RegExp(String.raw`("${SECRET_PARAMETER}"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  [new RegExp(String.raw`\b(${SECRET_PARAMETER})=(?:"[^"]*"|[^\s&,;"']+)`, 'gi'), `$1=${REDACTED}`],
]

/**
 * Removes credentials that may hide inside free text (error bodies, messages): first every
 * secret registered with a `SecretScope`, by value, then anything shaped like a credential.
 */
export function redactText(text: string): string {
  // Exact values first: a pattern could rewrite part of a secret and leave the rest behind.
  let result = scrubSecrets(text, REDACTED)
  for (const [pattern, replacement] of SECRET_VALUE_PATTERNS) result = result.replace(pattern, replacement)
  return result
}

/**
 * A deep copy of `value` with secret-named fields replaced and secret-looking strings
 * scrubbed. Safe to log or attach to an error.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value)
  if (value === null || typeof value !== 'object') return value
  if (depth > 8) return '[truncated]'
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  if (value instanceof Headers) return redactHeaders(value)
  if (value instanceof URL) return redactUrl(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  // An Error's message and name are not own enumerable fields: copy them so a logged error says something.
  if (value instanceof Error) {
    const fields = redact({ ...value }, depth + 1) as Record<string, unknown>
    const described: Record<string, unknown> = {
      name: value.name,
      message: redactText(value.message),
      ...fields,
    }
    if (value.cause !== undefined) described.cause = redact(value.cause, depth + 1)
    return described
  }
  const isJwk = 'kty' in value
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    // A hostile server may echo a secret as a field name.
    copy[holdsSecret(key) ? redactText(key) : key] =
      isSecretName(key) || (isJwk && JWK_PRIVATE_MEMBERS.has(key)) ? REDACTED : redact(item, depth + 1)
  }
  return copy
}

/** Headers as a lower-cased record with every credential-bearing header redacted. */
export function redactHeaders(
  headers: Headers | Record<string, string | undefined> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {}
  if (!headers) return result
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers)
  for (const [rawName, value] of entries) {
    if (value === undefined) continue
    const name = rawName.toLowerCase()
    result[name] = SECRET_HEADERS.has(name) || isSecretName(name) ? REDACTED : redactText(value)
  }
  return result
}

/** A URL without credentials or secret-named query parameters. */
export function redactUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url
  // Most URLs carry nothing to hide: return them without copying (this runs per request).
  const secretKeys = parsed.search ? [...parsed.searchParams.keys()].filter(isSecretName) : []
  // A path may hold a secret too (`/tickets/<ticket>`): registered values are scrubbed from every URL.
  if (!parsed.username && !parsed.password && secretKeys.length === 0)
    return scrubSecrets(parsed.href, REDACTED)
  const copy = new URL(parsed)
  copy.username = ''
  copy.password = ''
  for (const key of secretKeys) copy.searchParams.set(key, REDACTED)
  return scrubSecrets(copy.href, REDACTED)
}

/**
 * A stand-in for an error from below the SDK (fetch, the HTTP client) that is safe to attach
 * as a `cause`: only its name, scrubbed message, `code` and (likewise) its causes. The
 * original may hold the whole `Request`, headers and all, which `util.inspect` would print.
 */
export function redactError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redactText(error) : undefined
  const copy = new Error(redactText(error.message))
  Object.defineProperty(copy, 'name', { value: error.name, enumerable: false, configurable: true })
  copy.stack = `${copy.name}: ${copy.message}`
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code })
  if (error.cause !== undefined && depth < 4) {
    const cause = redactError(error.cause, depth + 1)
    if (cause !== undefined)
      Object.defineProperty(copy, 'cause', { value: cause, configurable: true, writable: true })
  }
  if (error instanceof AggregateError && depth < 4) {
    Object.assign(copy, { errors: error.errors.slice(0, 8).map((item) => redactError(item, depth + 1)) })
  }
  return copy
}
