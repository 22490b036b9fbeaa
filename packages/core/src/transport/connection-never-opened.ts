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
