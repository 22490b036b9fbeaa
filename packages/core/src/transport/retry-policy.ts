export interface RetryPolicyOptions {
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number
  /** First backoff step; doubles each retry. Default 500 ms. */
  baseDelayMs?: number
  /** Ceiling of one backoff step. Default 8 s. */
  maxDelayMs?: number
  /**
   * How the jitter spreads a step of base·2ⁿ. `'equal'` (default): between half and all of
   * it. `'additive'`: the whole step plus up to a quarter more, so no retry comes sooner than
   * a schedule the server documents (1 s, 2 s, 4 s…).
   */
  jitter?: 'equal' | 'additive'
  /** A server asking to wait longer than this fails at once instead. Default 60 s. */
  maxRetryAfterMs?: number
  /** Injectable for tests. */
  random?: () => number
  now?: () => number
}

/** What the policy needs to know about the request being retried. */
export interface RetryRequest {
  method: string
  /** The request carries an idempotency key (the same one on every attempt). */
  hasIdempotencyKey: boolean
  /** The caller declares the request free of side effects whatever its method. */
  idempotent?: boolean
  /** Retries already made for this request. */
  retries: number
  /** This request's own retry budget, replacing the policy's `maxRetries`. */
  maxRetries?: number | undefined
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not-retryable' | 'exhausted' | 'retry-after-too-long'; retryAfterMs?: number }

/** Methods whose repetition cannot do harm twice. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500

/**
 * The SDKs' one retry policy.
 *
 * * GET/HEAD/PUT/DELETE, and any request with an idempotency key: network errors, timeouts,
 *   408, 429 and 5xx.
 * * Any other POST/PATCH: only 429 (the server processed nothing) and a connection refused
 *   before a byte was sent. A timeout or a reset may mean the work was done: never retried.
 * * Backoff: exponential with jitter (`jitter`); `retry-after-ms` then `Retry-After` (seconds or an HTTP
 *   date) replace it, up to `maxRetryAfterMs`; beyond that, fail at once with the delay.
 * * A delay the server asks for is never shorter than the backoff's lower bound (what the
 *   jitter draws at least for that retry): a server answering `Retry-After: 0` to every attempt gets the same
 *   spacing as one that names no delay, not a burst of `maxRetries` requests.
 */
export function retryPolicy(options: RetryPolicyOptions = {}) {
  const maxRetries = options.maxRetries ?? 2
  const baseDelayMs = options.baseDelayMs ?? 500
  const maxDelayMs = options.maxDelayMs ?? 8_000
  const jitter = options.jitter ?? 'equal'
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now

  const isSafe = (request: RetryRequest) =>
    request.hasIdempotencyKey ||
    request.idempotent === true ||
    IDEMPOTENT_METHODS.has(request.method.toUpperCase())

  const ceiling = (retries: number) => Math.min(maxDelayMs, baseDelayMs * 2 ** retries)
  /** The shortest wait before retry n: what the jitter can draw at least. */
  const lowerBound = (retries: number) =>
    jitter === 'additive' ? ceiling(retries) : Math.round(ceiling(retries) / 2)

  /** Jittered exponential backoff from base·2ⁿ (capped at maxDelayMs), spread as `jitter` says. */
  const backoff = (retries: number): number => {
    const step = ceiling(retries)
    if (jitter === 'additive') return Math.round(step + (random() * step) / 4)
    return Math.round(step / 2 + (random() * step) / 2)
  }

  const schedule = (request: RetryRequest, retryAfterMs: number | undefined): RetryDecision => {
    if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
      return { retry: false, reason: 'retry-after-too-long', retryAfterMs }
    }
    if (request.retries >= (request.maxRetries ?? maxRetries)) {
      return { retry: false, reason: 'exhausted', retryAfterMs }
    }
    if (retryAfterMs === undefined) return { retry: true, delayMs: backoff(request.retries) }
    return { retry: true, delayMs: Math.max(retryAfterMs, lowerBound(request.retries)) }
  }

  return {
    maxRetries,
    backoff,

    /** The delay a response asks for (see `parseRetryAfter`), on this policy's clock. */
    retryAfterMs(headers: Headers): number | undefined {
      return parseRetryAfter(headers, now())
    },

    /** After a response with a non-2xx status. */
    afterResponse(request: RetryRequest, status: number, headers: Headers): RetryDecision {
      const retryAfterMs = parseRetryAfter(headers, now())
      const retryable = status === 429 || (isSafe(request) && RETRYABLE_STATUS(status))
      if (!retryable) return { retry: false, reason: 'not-retryable', retryAfterMs }
      return schedule(request, retryAfterMs)
    },

    /**
     * After an attempt that produced no response. `sent` is false only when the connection
     * was refused, so nothing can have been processed.
     */
    afterNoResponse(request: RetryRequest, sent: boolean): RetryDecision {
      if (sent && !isSafe(request)) return { retry: false, reason: 'not-retryable' }
      return schedule(request, undefined)
    },
  }
}

export type RetryPolicy = ReturnType<typeof retryPolicy>

/**
 * The delay a response asks for: `retry-after-ms` (milliseconds), else `Retry-After` as
 * delta-seconds or an HTTP date. Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get('retry-after-ms')
  if (milliseconds !== null && milliseconds.trim() !== '') {
    const value = Number(milliseconds)
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value)
  }
  const retryAfter = headers.get('retry-after')?.trim()
  if (!retryAfter) return undefined
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000)
  // Only something shaped like an HTTP date: Date.parse also reads '-1' or '2' as years.
  if (!/\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b/i.test(retryAfter)) return undefined
  // HTTP dates are GMT; the asctime form says so only implicitly, and Date.parse would read local time.
  const date = Date.parse(/\b(GMT|UTC|Z)\b|[+-]\d{4}\b/i.test(retryAfter) ? retryAfter : `${retryAfter} GMT`)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
