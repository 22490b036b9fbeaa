import type { Clock } from '../shared/clock.js'

/**
 * Remembers identifiers (`jti`s) until they could no longer be accepted anyway, so a
 * replayed proof or assertion is caught without the cache growing forever.
 */
export class ReplayCache {
  readonly #clock: Clock
  readonly #expiries = new Map<string, number>()
  #pruneAtSize = 1024

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Records `key` until `expiresAtMs` (server time); false when it was already recorded. */
  remember(key: string, expiresAtMs: number): boolean {
    const now = this.#clock.now()
    const existing = this.#expiries.get(key)
    if (existing !== undefined && existing > now) return false
    this.#expiries.set(key, expiresAtMs)
    if (this.#expiries.size >= this.#pruneAtSize) this.#prune(now)
    return true
  }

  get size(): number {
    return this.#expiries.size
  }

  #prune(now: number): void {
    for (const [key, expiresAt] of this.#expiries) {
      if (expiresAt <= now) this.#expiries.delete(key)
    }
    this.#pruneAtSize = Math.max(1024, this.#expiries.size * 2)
  }
}
