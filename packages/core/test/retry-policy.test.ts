import { describe, expect, it } from 'vitest'
import {
  connectionNeverOpened,
  parseRetryAfter,
  type RetryRequest,
  retryPolicy,
} from '../src/internal/index.js'

const request = (method: string, hasIdempotencyKey = false, retries = 0): RetryRequest => ({
  method,
  hasIdempotencyKey,
  retries,
})
const noHeaders = new Headers()

describe('which responses are retried', () => {
  const policy = retryPolicy({ random: () => 0 })

  it.each(['GET', 'HEAD', 'PUT', 'DELETE'])(
    '%s: 408, 429 and 5xx are retried; other 4xx are not',
    (method) => {
      for (const status of [408, 429, 500, 502, 503, 504, 599])
        expect(policy.afterResponse(request(method), status, noHeaders).retry).toBe(true)
      for (const status of [400, 401, 403, 404, 409, 422])
        expect(policy.afterResponse(request(method), status, noHeaders)).toMatchObject({
          retry: false,
          reason: 'not-retryable',
        })
    },
  )

  it.each(['POST', 'PATCH'])('%s without a key: only 429', (method) => {
    expect(policy.afterResponse(request(method), 429, noHeaders).retry).toBe(true)
    for (const status of [408, 500, 503])
      expect(policy.afterResponse(request(method), status, noHeaders).retry).toBe(false)
  })

  it.each(['POST', 'PATCH'])('%s with an idempotency key: like a safe method', (method) => {
    for (const status of [408, 429, 500, 503])
      expect(policy.afterResponse(request(method, true), status, noHeaders).retry).toBe(true)
  })

  it('a POST declared free of side effects is retried like a GET', () => {
    const simulation: RetryRequest = {
      method: 'POST',
      hasIdempotencyKey: false,
      idempotent: true,
      retries: 0,
    }
    for (const status of [408, 500, 503])
      expect(policy.afterResponse(simulation, status, noHeaders).retry).toBe(true)
    expect(retryPolicy({ random: () => 0 }).afterNoResponse(simulation, true).retry).toBe(true)
  })

  it('method names are case-insensitive', () => {
    expect(policy.afterResponse(request('get'), 503, noHeaders).retry).toBe(true)
  })
})

describe('which failures without a response are retried', () => {
  const policy = retryPolicy({ random: () => 0 })

  it('a safe method is retried whether or not anything was sent', () => {
    expect(policy.afterNoResponse(request('GET'), true).retry).toBe(true)
    expect(policy.afterNoResponse(request('GET'), false).retry).toBe(true)
  })

  it('a POST without a key is retried only when nothing was sent', () => {
    expect(policy.afterNoResponse(request('POST'), true)).toMatchObject({
      retry: false,
      reason: 'not-retryable',
    })
    expect(policy.afterNoResponse(request('POST'), false).retry).toBe(true)
  })

  it('a POST with a key is retried after a reset', () => {
    expect(policy.afterNoResponse(request('POST', true), true).retry).toBe(true)
  })
})

describe('budget', () => {
  it('stops once maxRetries retries were made', () => {
    const policy = retryPolicy({ maxRetries: 3 })
    expect(policy.afterResponse(request('GET', false, 2), 503, noHeaders).retry).toBe(true)
    expect(policy.afterResponse(request('GET', false, 3), 503, noHeaders)).toMatchObject({
      retry: false,
      reason: 'exhausted',
    })
    expect(policy.afterNoResponse(request('GET', false, 3), true)).toMatchObject({ reason: 'exhausted' })
  })

  it('maxRetries 0 never retries', () => {
    expect(retryPolicy({ maxRetries: 0 }).afterResponse(request('GET'), 503, noHeaders).retry).toBe(false)
  })

  it('defaults to two retries', () => {
    expect(retryPolicy().maxRetries).toBe(2)
  })
})

describe('backoff', () => {
  it('is exponential from the base delay, between half and all of each step', () => {
    const low = retryPolicy({ baseDelayMs: 500, random: () => 0 })
    const high = retryPolicy({ baseDelayMs: 500, random: () => 0.999_999 })
    expect([0, 1, 2, 3].map(low.backoff)).toEqual([250, 500, 1_000, 2_000])
    expect([0, 1, 2, 3].map(high.backoff)).toEqual([500, 1_000, 2_000, 4_000])
  })

  it('with additive jitter never waits less than the step, and at most a quarter more', () => {
    const low = retryPolicy({ baseDelayMs: 1_000, jitter: 'additive', random: () => 0 })
    const high = retryPolicy({ baseDelayMs: 1_000, jitter: 'additive', random: () => 0.999_999 })
    expect([0, 1, 2].map(low.backoff)).toEqual([1_000, 2_000, 4_000])
    expect([0, 1, 2].map(high.backoff)).toEqual([1_250, 2_500, 5_000])
  })

  it('is capped at maxDelayMs', () => {
    const policy = retryPolicy({ baseDelayMs: 500, maxDelayMs: 8_000, random: () => 0.999_999 })
    expect(policy.backoff(10)).toBe(8_000)
    expect(retryPolicy({ baseDelayMs: 500, maxDelayMs: 8_000, random: () => 0 }).backoff(10)).toBe(4_000)
  })

  it('stays inside the bounds for any random value', () => {
    for (const value of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) {
      const delay = retryPolicy({ baseDelayMs: 1_000, random: () => value }).backoff(2)
      expect(delay).toBeGreaterThanOrEqual(2_000)
      expect(delay).toBeLessThanOrEqual(4_000)
    }
  })

  it('is what a retry waits when the server names no delay', () => {
    const decision = retryPolicy({ baseDelayMs: 100, random: () => 0.5 }).afterResponse(
      request('GET', false, 1),
      503,
      noHeaders,
    )
    expect(decision).toEqual({ retry: true, delayMs: 150 })
  })
})

describe('delay floor', () => {
  it('a Retry-After shorter than the backoff lower bound waits the bound', () => {
    const policy = retryPolicy({ baseDelayMs: 500, maxRetries: 1000, random: () => 0 })
    const zero = new Headers({ 'retry-after': '0' })
    expect(
      [0, 1, 2, 3, 10].map((retries) => policy.afterResponse(request('GET', false, retries), 503, zero)),
    ).toEqual([250, 500, 1_000, 2_000, 4_000].map((delayMs) => ({ retry: true, delayMs })))
  })

  it('a longer Retry-After is honoured as sent', () => {
    const policy = retryPolicy({ baseDelayMs: 500, random: () => 0 })
    expect(policy.afterResponse(request('GET'), 429, new Headers({ 'retry-after': '3' }))).toEqual({
      retry: true,
      delayMs: 3_000,
    })
  })

  it("a request's own maxRetries replaces the policy's", () => {
    const policy = retryPolicy({ maxRetries: 5 })
    expect(
      policy.afterResponse({ ...request('GET', false, 1), maxRetries: 1 }, 503, noHeaders),
    ).toMatchObject({
      retry: false,
      reason: 'exhausted',
    })
  })
})

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')

  it('reads delta-seconds', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }), now)).toBe(3_000)
    expect(parseRetryAfter(new Headers({ 'retry-after': '1.5' }), now)).toBe(1_500)
    expect(parseRetryAfter(new Headers({ 'retry-after': '0' }), now)).toBe(0)
  })

  it('reads an HTTP date in each of the three formats HTTP allows', () => {
    for (const date of [
      'Thu, 01 Jan 2026 00:00:10 GMT',
      'Thursday, 01-Jan-26 00:00:10 GMT',
      'Thu Jan  1 00:00:10 2026',
    ])
      expect(parseRetryAfter(new Headers({ 'retry-after': date }), now)).toBe(10_000)
  })

  it('a date in the past means no wait', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0)
  })

  it('reads retry-after-ms first', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '120', 'retry-after': '9' }), now)).toBe(120)
  })

  it('ignores what it cannot read', () => {
    for (const value of ['soon', '-1', '-5', '', ' ', 'later 12'])
      expect(parseRetryAfter(new Headers({ 'retry-after': value }), now)).toBeUndefined()
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': 'x', 'retry-after': '2' }), now)).toBe(2_000)
    expect(parseRetryAfter(noHeaders, now)).toBeUndefined()
  })

  it('replaces the backoff when present', () => {
    const policy = retryPolicy({ random: () => 0, now: () => now })
    expect(policy.afterResponse(request('GET'), 429, new Headers({ 'retry-after': '7' }))).toEqual({
      retry: true,
      delayMs: 7_000,
    })
  })

  it('beyond the cap, fails at once carrying the delay, even with retries left', () => {
    const policy = retryPolicy({ now: () => now })
    expect(policy.afterResponse(request('GET'), 429, new Headers({ 'retry-after': '120' }))).toEqual({
      retry: false,
      reason: 'retry-after-too-long',
      retryAfterMs: 120_000,
    })
    expect(policy.afterResponse(request('GET'), 429, new Headers({ 'retry-after': '60' })).retry).toBe(true)
  })
})

describe('connectionNeverOpened', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause })

  it('recognises refused and unresolvable connections', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'])
      expect(connectionNeverOpened(fetchFailed(Object.assign(new Error(code), { code })))).toBe(true)
  })

  it('recognises a happy-eyeballs failure where every address refused', () => {
    const refused = () => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
    expect(connectionNeverOpened(fetchFailed(new AggregateError([refused(), refused()])))).toBe(true)
  })

  it('recognises runtimes that only say so in the message', () => {
    expect(
      connectionNeverOpened(new TypeError('error sending request: Connection refused (os error 111)')),
    ).toBe(true)
  })

  it('does not treat a reset or a timeout as never sent', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'EPIPE'])
      expect(connectionNeverOpened(fetchFailed(Object.assign(new Error(code), { code })))).toBe(false)
    expect(connectionNeverOpened(undefined)).toBe(false)
  })
})
