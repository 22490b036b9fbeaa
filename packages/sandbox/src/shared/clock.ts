import type { MiddlewareHandler } from 'hono'

/**
 * The server's notion of time. Every time-dependent check in a sandbox (token `iat`,
 * expiries, approval deadlines, the `Date` response header) reads this clock, so a
 * test can skew the server against the client with one offset instead of waiting.
 */
export class Clock {
  /** Added to the machine time; positive puts the server in the future. */
  offsetMs = 0

  /** Milliseconds since the epoch, as the server sees it. */
  now(): number {
    return Date.now() + this.offsetMs
  }

  /** Whole seconds since the epoch, as used in JWT `iat`/`exp`. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000)
  }

  /** ISO 8601 timestamp of the server time. */
  nowIso(): string {
    return new Date(this.now()).toISOString()
  }

  /**
   * Sets the `Date` response header from this clock. Node would otherwise send the
   * machine time, and a client that calibrates its skew from `Date` would never see
   * the offset.
   */
  dateHeader(): MiddlewareHandler {
    return async (c, next) => {
      await next()
      c.res.headers.set('Date', new Date(this.now()).toUTCString())
    }
  }
}
