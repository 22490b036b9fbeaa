/**
 * What a DPoP sender remembers between requests: the last nonce each origin handed
 * out (RFC 9449 §8–9) and how far the server's clock is from ours.
 */
export class DpopSession {
  readonly #nonces = new Map<string, string>()
  #clockOffsetMs = 0
  readonly #now: () => number

  // Looked up per call, not captured: tests and polyfills may replace Date.now later.
  constructor(now: () => number = () => Date.now()) {
    this.#now = now
  }

  nonceFor(url: URL): string | undefined {
    return this.#nonces.get(url.origin)
  }

  /** Records a `DPoP-Nonce` from any response; true when it differs from the one held. */
  rememberNonce(url: URL, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce')
    if (nonce === null || nonce === '') return false
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
   * agrees to within the header's one-second resolution.
   */
  correctClock(date: string | null | undefined): boolean {
    if (date === null || date === undefined) return false
    const serverMs = Date.parse(date)
    if (Number.isNaN(serverMs)) return false
    // `Date` has whole-second resolution: aim at the middle of that second.
    const offsetMs = serverMs + 500 - this.#now()
    if (Math.abs(offsetMs - this.#clockOffsetMs) < 2_000) return false
    this.#clockOffsetMs = offsetMs
    return true
  }
}
