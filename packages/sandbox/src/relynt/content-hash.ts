import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'

/** `"sha256:<hex>"` of the RFC 8785 (JCS) canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`
}

/** RFC 8785 canonical JSON; `undefined` (no JSON form) is a programming error here. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value)
  if (text === undefined) throw new TypeError('Value has no JSON representation')
  return text
}
