import { randomBytes } from 'node:crypto'
import type { Clock } from '../shared/clock.js'

/** Whether the Ralio sandbox demands DPoP nonces, and how often it changes them. */
export interface NonceModeOptions {
  enabled: boolean
  /** How often the server nonce changes; default 5 minutes. */
  rotateEveryMs?: number
}

export type NonceCheck = 'current' | 'previous' | 'invalid'

/**
 * Server-provided DPoP nonces (RFC 9449 §8). The current and the previous nonce are
 * accepted so a request racing a rotation is not challenged; rotation is computed
 * from the sandbox clock when a nonce is read, so a clock offset rotates it too.
 */
export class NonceManager {
  readonly #clock: Clock
  #enabled = false
  #rotateEveryMs = 300_000
  #current = NonceManager.#fresh()
  #previous: string | undefined
  #issuedAt: number

  constructor(clock: Clock) {
    this.#clock = clock
    this.#issuedAt = clock.now()
  }

  get enabled(): boolean {
    return this.#enabled
  }

  configure(options: NonceModeOptions): void {
    if (
      options.rotateEveryMs !== undefined &&
      !(Number.isInteger(options.rotateEveryMs) && options.rotateEveryMs > 0)
    ) {
      throw new TypeError('rotateEveryMs must be a positive integer number of milliseconds')
    }
    this.#enabled = options.enabled
    this.#rotateEveryMs = options.rotateEveryMs ?? 300_000
    this.#current = NonceManager.#fresh()
    this.#previous = undefined
    this.#issuedAt = this.#clock.now()
  }

  current(): string {
    this.#rotateIfDue()
    return this.#current
  }

  check(nonce: unknown): NonceCheck {
    this.#rotateIfDue()
    if (typeof nonce !== 'string') return 'invalid'
    if (nonce === this.#current) return 'current'
    if (nonce === this.#previous) return 'previous'
    return 'invalid'
  }

  #rotateIfDue(): void {
    const elapsed = this.#clock.now() - this.#issuedAt
    if (elapsed < this.#rotateEveryMs) return
    // After two or more periods the old nonce is too stale to honour as "previous".
    this.#previous = elapsed < 2 * this.#rotateEveryMs ? this.#current : undefined
    this.#current = NonceManager.#fresh()
    this.#issuedAt = this.#clock.now()
  }

  static #fresh(): string {
    return randomBytes(16).toString('base64url')
  }
}
