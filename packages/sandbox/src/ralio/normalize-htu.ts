/**
 * The RFC 9449 §4.3 comparison form of an `htu`: scheme and host lower-cased, default
 * port dropped, no query, no fragment. `undefined` when the value is not an absolute
 * http(s) URL.
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  // WHATWG URL parsing already lower-cases scheme and host and drops a default port.
  return `${url.protocol}//${url.host}${url.pathname}`
}
