/**
 * Longest header value the transport sends, in characters. Most servers and proxies refuse
 * a header line over 8 KiB, and no value the SDKs send (an idempotency key, a DPoP proof)
 * comes near it.
 */
export const MAX_HEADER_VALUE_LENGTH = 8_192

// Visible ASCII, space and tab: what every HTTP implementation accepts unaltered.
const UNSAFE = /[^\t\x20-\x7e]/

/**
 * What is wrong with `value` as a header value, or undefined when it can be sent. The
 * value itself is never quoted back: a user header may hold a secret.
 */
export function headerValueProblem(value: string): string | undefined {
  if (typeof value !== 'string') return `is a ${typeof value}, not a string`
  if (value.length > MAX_HEADER_VALUE_LENGTH) {
    return `is ${value.length} characters long; the limit is ${MAX_HEADER_VALUE_LENGTH}`
  }
  const unsafe = UNSAFE.exec(value)
  if (unsafe === null) return undefined
  const code = unsafe[0].charCodeAt(0)
  const what =
    code === 10
      ? 'a line feed'
      : code === 13
        ? 'a carriage return'
        : code < 32 || code === 127
          ? 'a control character'
          : 'a non-ASCII character'
  return `contains ${what} at position ${unsafe.index}; header values must be printable ASCII`
}
