/** Default `maxResponseBytes`: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024

/** Why a body was not read: it is (or says it is) larger than the limit. */
export class BodyTooLarge {
  constructor(
    readonly limit: number,
    /** From `Content-Length`, when the body was refused before reading. */
    readonly declared: number | undefined,
  ) {}
}

/**
 * Reads a response body as text, counting bytes as they arrive. A `Content-Length` over
 * `limit` is refused before a byte is read; a body that grows past it mid-way is cancelled
 * and `abort` is called so the connection closes rather than draining. Either way the
 * result is a `BodyTooLarge`, never a partial text.
 */
export async function readLimitedBody(
  response: Response,
  limit: number,
  abort: () => void,
): Promise<string | BodyTooLarge> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > limit) {
    void response.body?.cancel().catch(() => {})
    abort()
    return new BodyTooLarge(limit, declared)
  }
  if (!response.body) return ''
  // An unencoded body with a Content-Length is exactly that long: fetch reads no byte past
  // the framing the header sets. A compressed one is decoded by fetch, so a 10 KB gzip bomb
  // can inflate to gigabytes; it, and a body without a length, are counted as they arrive.
  const encoding = response.headers.get('content-encoding')
  if (declared <= limit && (encoding === null || encoding.toLowerCase() === 'identity'))
    return response.text()
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      void reader.cancel().catch(() => {})
      abort()
      return new BodyTooLarge(limit, undefined)
    }
    chunks.push(value)
  }
  return decoder.decode(chunks.length === 1 ? chunks[0] : concat(chunks, size))
}

const decoder = new TextDecoder()

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
