import { followSignals } from './follow-signals.js'

/** The abort reason of an attempt that outlived its timeout. */
export const TIMED_OUT = Symbol('timed out')

/**
 * The lifetime of one attempt: its abort controller, its links to the caller's signal and to
 * `close()`, and its timeout. Undone by `release()` when the attempt ends, unless the
 * response's body is read later (a stream), which `keepOpen()` hands the undoing to.
 */
export class Exchange {
  // One controller per attempt, following the caller's signal and close(): ky derives its own
  // signal from it, so this is the only AbortSignal.any the attempt pays for. close() reaches it
  // through `attempts`, the caller's signal through a listener; both links are undone when the
  // attempt ends, so nothing piles up on a signal that outlives requests.
  readonly #controller = new AbortController()
  readonly #attempts: Set<AbortController>
  readonly #unfollow: () => void
  // What fetch was handed. A Request follows `signal` through a controller only the Request
  // holds, so if nothing held the Request, garbage collection could cut that link and the
  // timeout's abort would never reach the fetch (a fetch that keeps only the signal would hang
  // forever). The timer and `abort` hold it through this exchange.
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held, never read (see above).
  #request: unknown
  #timer: ReturnType<typeof setTimeout> | undefined
  #keptOpen = false

  constructor(attempts: Set<AbortController>, callerSignal: AbortSignal | undefined) {
    this.#attempts = attempts
    attempts.add(this.#controller)
    this.#unfollow = followSignals(this.#controller, [callerSignal])
  }

  /** Aborted by the caller's signal, `close()`, the timeout or `abort()`. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /**
   * `fetch`, holding on to what it is handed for as long as this exchange lives; with
   * `attemptInit`, handing it those fields in `init`, where they replace the Request's.
   */
  fetchThrough(fetch: typeof globalThis.fetch, attemptInit?: RequestInit): typeof globalThis.fetch {
    return (input, init) => {
      this.#request = input
      return fetch(input, attemptInit ? { ...init, ...attemptInit } : init)
    }
  }

  /** Aborts the attempt with `TIMED_OUT` after `ms`, until `release()`. */
  startTimer(ms: number): void {
    this.#timer = setTimeout(() => this.#controller.abort(TIMED_OUT), ms)
  }

  /** Closes the connection. */
  abort(): void {
    this.#controller.abort()
  }

  /**
   * Keeps the links to the caller's signal and `close()` after the attempt ends, for a body
   * read later; returns what ends it (unlinks, then closes the connection).
   */
  keepOpen(): () => void {
    this.#keptOpen = true
    return () => {
      this.#unlink()
      this.abort()
    }
  }

  /** The attempt is over: its timer stops and, unless kept open, its links are undone. */
  release(): void {
    clearTimeout(this.#timer)
    if (!this.#keptOpen) this.#unlink()
  }

  #unlink(): void {
    this.#attempts.delete(this.#controller)
    this.#unfollow()
  }
}
