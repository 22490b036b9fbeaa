// Error codes meaning the TCP connection was never established, so no byte of the request
// left this machine and even a payment POST is safe to send again.
const NEVER_OPENED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT',
])

/** True when a fetch failure proves the request was never sent (refused, unresolvable host). */
export function connectionNeverOpened(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const record = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
    if (typeof record.code === 'string' && NEVER_OPENED_CODES.has(record.code)) return true
    // Deno and Bun describe it in the message rather than a code.
    if (typeof record.message === 'string' && /ECONNREFUSED|connection refused/i.test(record.message))
      return true
    // Happy-eyeballs failures arrive as an AggregateError of per-address errors.
    if (
      Array.isArray(record.errors) &&
      record.errors.length > 0 &&
      record.errors.every(connectionNeverOpened)
    ) {
      return true
    }
    current = record.cause
  }
  return false
}

/** DNS failures: the name did not resolve, so nothing was sent anywhere. */
const HOST_NOT_FOUND_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'])

/** True when a fetch failure is the host name not resolving (not a refused connection). */
export function hostNotFound(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const record = current as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof record.code === 'string' && HOST_NOT_FOUND_CODES.has(record.code)) return true
    if (
      typeof record.message === 'string' &&
      /getaddrinfo|failed to lookup address|dns error/i.test(record.message)
    )
      return true
    current = record.cause
  }
  return false
}
