import { RalioClockSkewError } from '../errors.js'

/** The largest clock offset adopted from a server's `Date` header. */
export const maxClockOffsetMs = 15 * 60_000

/** RFC 9449 §8.1: `nonce = 1*NQCHAR` (printable ASCII but `"` and `\`). */
const NONCE = /^[\x21\x23-\x5B\x5D-\x7E]+$/
/** Real nonces are tens of characters; a huge one would be echoed in every proof. */
export const maxNonceLength = 512

export interface DpopSessionOptions {
  now?: () => number
  /** Default {@link maxClockOffsetMs}. */
  maxClockOffsetMs?: number
}

/**
 * What a DPoP sender remembers between requests: the last nonce each origin handed
 * out (RFC 9449 §8–9) and how far the server's clock is from ours.
 */
export class DpopSession {
  readonly #nonces = new Map<string, string>()
  #clockOffsetMs = 0
  readonly #now: () => number
  readonly #maxClockOffsetMs: number

  // Looked up per call, not captured: tests and polyfills may replace Date.now later.
  constructor(options: DpopSessionOptions | (() => number) = {}) {
    const { now, maxClockOffsetMs: bound } = typeof options === 'function' ? { now: options } : options
    this.#now = now ?? (() => Date.now())
    this.#maxClockOffsetMs = bound ?? maxClockOffsetMs
  }

  nonceFor(url: URL): string | undefined {
    return this.#nonces.get(url.origin)
  }

  /**
   * Records a `DPoP-Nonce` from any response; true when it differs from the one held. A
   * value that is not an RFC 9449 nonce, or is longer than {@link maxNonceLength}, is
   * ignored: it would make every later proof invalid or oversized.
   */
  rememberNonce(url: URL, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce')
    if (nonce === null || nonce.length > maxNonceLength || !NONCE.test(nonce)) return false
    const previous = this.#nonces.get(url.origin)
    this.#nonces.set(url.origin, nonce)
    return previous !== nonce
  }

  /** Seconds since the epoch on the server's clock, as far as we know it. */
  nowSeconds(): number {
    return Math.floor((this.#now() + this.#clockOffsetMs) / 1000)
  }

  get clockOffsetMs(): number {
    return this.#clockOffsetMs
  }

  /**
   * Adopts the server's clock from its `Date` header after it refused our `iat`.
   * Returns false when that cannot help: no usable header, or our clock already
   * agrees to within the header's one-second resolution. Throws RalioClockSkewError
   * when the server's clock is further from ours than the bound: signing proofs for a
   * time a server merely claims (a `Date` in 2100) would hand out proofs valid later.
   */
  correctClock(date: string | null | undefined): boolean {
    if (date === null || date === undefined) return false
    const serverMs = Date.parse(date)
    if (Number.isNaN(serverMs)) return false
    // `Date` has whole-second resolution: aim at the middle of that second.
    const offsetMs = serverMs + 500 - this.#now()
    if (Math.abs(offsetMs - this.#clockOffsetMs) < 2_000) return false
    if (Math.abs(offsetMs) > this.#maxClockOffsetMs) {
      throw new RalioClockSkewError(offsetMs, this.#maxClockOffsetMs)
    }
    this.#clockOffsetMs = offsetMs
    return true
  }
}
