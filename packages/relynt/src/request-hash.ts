import canonicalize from 'canonicalize'
import { RelyntError } from './errors.js'

/**
 * The `request_hash` a receipt carries for a request body: `"sha256:<hex>"` of the body's
 * RFC 8785 (JCS) canonical JSON. Pass the exact JSON body that went over the wire
 * (snake_case, e.g. `{ instance_id, action, resource, payload }`); canonical JSON makes
 * key order and number formatting irrelevant, so any client that sent the same data gets
 * the same hash as the gateway.
 *
 * Runs on WebCrypto, so it works in Node, Bun, Deno, browsers and edge workers.
 */
export async function computeRequestHash(body: unknown): Promise<string> {
  let canonical: string | undefined
  try {
    canonical = canonicalize(body)
  } catch (error) {
    throw new RelyntError(`The request body cannot be hashed: ${(error as Error).message}.`, {
      code: 'invalid_argument',
      cause: error,
    })
  }
  if (canonical === undefined) {
    throw new RelyntError('The request body cannot be hashed: it has no JSON representation.', {
      code: 'invalid_argument',
    })
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))
  return `sha256:${toHex(new Uint8Array(digest))}`
}

function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}
