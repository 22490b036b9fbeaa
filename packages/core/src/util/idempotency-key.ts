/** A fresh idempotency key (UUID v4), optionally prefixed (`pay_…`). One per logical call. */
export function createIdempotencyKey(prefix = ''): string {
  return `${prefix}${crypto.randomUUID()}`
}
