import { afterEach, describe, expect, it, vi } from 'vitest'
import { APIError, ConnectionError, RateLimitError, SdkError, TimeoutError } from '../src/index.js'
import { createTransport, type TransportOptions } from '../src/internal/index.js'
import { type LocalServer, refusedUrl, sendJson, startServer } from './support/local-server.js'
import { json, refusedError, resetError, scriptedFetch } from './support/scripted-fetch.js'

// Backoff is made instant (random 0, 0 ms base) wherever the test is about *whether* to retry.
const instant: TransportOptions['retry'] = { baseDelayMs: 0, random: () => 0 }

function transportFor(fetch: typeof globalThis.fetch, options: Partial<TransportOptions> = {}) {
  return createTransport({
    baseUrl: 'https://api.example.test',
    userAgent: 'test/1.0.0',
    fetch,
    retry: instant,
    logger: { error() {}, warn() {}, info() {}, debug() {} },
    ...options,
  })
}

let server: LocalServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  vi.useRealTimers()
})

describe('safe methods', () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    it(`retries a GET answered ${status} and returns the later success`, async () => {
      const fetch = scriptedFetch(json(status, { error: 'busy' }), json(200, { ok: true }))
      await expect(transportFor(fetch).request({ method: 'GET', path: '/items' })).resolves.toEqual({
        ok: true,
      })
      expect(fetch.calls).toHaveLength(2)
    })
  }

  for (const method of ['HEAD', 'PUT', 'DELETE'] as const) {
    it(`retries a ${method} answered 503`, async () => {
      const fetch = scriptedFetch(new Response(null, { status: 503 }), new Response(null, { status: 204 }))
      await transportFor(fetch).request({ method, path: '/items/1' })
      expect(fetch.calls.map((request) => request.method)).toEqual([method, method])
    })
  }

  it('retries a GET after the server resets the connection', async () => {
    server = await startServer((_request, response, index) => {
      if (index === 0) response.socket?.destroy()
      else sendJson(response, 200, { ok: true })
    })
    const transport = transportFor(globalThis.fetch, { baseUrl: server.url })
    await expect(transport.request({ method: 'GET', path: '/items' })).resolves.toEqual({ ok: true })
    expect(server.requests).toHaveLength(2)
  })

  it('does not retry a 4xx other than 408 and 429', async () => {
    const fetch = scriptedFetch(json(404, { detail: 'no such item' }), json(200, {}))
    await expect(transportFor(fetch).request({ method: 'GET', path: '/items/9' })).rejects.toMatchObject({
      statusCode: 404,
      message: 'no such item',
    })
    expect(fetch.calls).toHaveLength(1)
  })
})

describe('POST without an idempotency key', () => {
  it('is not retried on a 5xx', async () => {
    server = await startServer((_request, response) => sendJson(response, 503, { error: 'down' }))
    const transport = transportFor(globalThis.fetch, { baseUrl: server.url })
    await expect(transport.request({ method: 'POST', path: '/pay', json: { amount: 1 } })).rejects.toSatisfy(
      (error) => APIError.isInstance(error) && error.statusCode === 503,
    )
    expect(server.requests).toHaveLength(1)
  })

  it('is not retried on a 408', async () => {
    const fetch = scriptedFetch(json(408, {}), json(200, {}))
    await expect(transportFor(fetch).request({ method: 'POST', path: '/pay' })).rejects.toMatchObject({
      statusCode: 408,
    })
    expect(fetch.calls).toHaveLength(1)
  })

  it('is not retried when the connection is reset after sending', async () => {
    server = await startServer((_request, response) => {
      response.socket?.destroy()
    })
    const transport = transportFor(globalThis.fetch, { baseUrl: server.url })
    const error = await transport.request({ method: 'POST', path: '/pay', json: {} }).catch((e: unknown) => e)
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(TimeoutError.isInstance(error)).toBe(false)
    expect((error as SdkError).code).toBe('connection_error')
    expect(server.requests).toHaveLength(1)
  })

  it('is not retried when a scripted fetch reports a reset', async () => {
    const fetch = scriptedFetch(resetError(), json(200, {}))
    await expect(transportFor(fetch).request({ method: 'PATCH', path: '/pay/1' })).rejects.toSatisfy(
      ConnectionError.isInstance.bind(ConnectionError),
    )
    expect(fetch.calls).toHaveLength(1)
  })

  it('is retried on a 429', async () => {
    const fetch = scriptedFetch(json(429, {}, { 'retry-after': '0' }), json(201, { id: 'pay_1' }))
    await expect(transportFor(fetch).request({ method: 'POST', path: '/pay' })).resolves.toEqual({
      id: 'pay_1',
    })
    expect(fetch.calls).toHaveLength(2)
  })

  it('is retried when the connection was refused (nothing was sent)', async () => {
    const fetch = scriptedFetch(refusedError(), json(201, { id: 'pay_1' }))
    await expect(transportFor(fetch).request({ method: 'POST', path: '/pay' })).resolves.toEqual({
      id: 'pay_1',
    })
    expect(fetch.calls).toHaveLength(2)
  })

  it('retries a real refused connection, then fails with a connection_refused ConnectionError', async () => {
    const transport = transportFor(globalThis.fetch, { baseUrl: await refusedUrl(), maxRetries: 1 })
    const error = await transport.request({ method: 'POST', path: '/pay' }).catch((e: unknown) => e)
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect((error as SdkError).code).toBe('connection_refused')
    expect((error as Error).message).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/pay failed: the connection was refused/,
    )
  })
})

describe("POST declared side-effect free (retry: 'idempotent')", () => {
  it('is retried on a 503 like a GET', async () => {
    const fetch = scriptedFetch(json(503, { error: 'busy' }), json(200, { decision: 'allow' }))
    await expect(
      transportFor(fetch).request({ method: 'POST', path: '/simulate', json: {}, retry: 'idempotent' }),
    ).resolves.toEqual({ decision: 'allow' })
    expect(fetch.calls).toHaveLength(2)
  })
})

describe('POST with an idempotency key', () => {
  it('is retried on a 5xx, sending the same key on every attempt', async () => {
    server = await startServer((_request, response, index) =>
      index < 2 ? sendJson(response, 500, {}) : sendJson(response, 201, { id: 'pay_1' }),
    )
    const transport = transportFor(globalThis.fetch, { baseUrl: server.url })
    await transport.request({ method: 'POST', path: '/pay', json: { amount: 1 }, idempotencyKey: 'key-123' })
    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      'key-123',
      'key-123',
      'key-123',
    ])
    expect(server.requests.map((request) => request.body)).toEqual(Array(3).fill('{"amount":1}'))
  })

  it('is retried after a reset connection', async () => {
    const fetch = scriptedFetch(resetError(), json(201, {}))
    await transportFor(fetch).request({ method: 'POST', path: '/pay', idempotencyKey: 'key-1' })
    expect(fetch.calls).toHaveLength(2)
  })

  it('uses the configured idempotency header name', async () => {
    const fetch = scriptedFetch(json(503, {}), json(201, {}))
    await transportFor(fetch, { idempotencyHeader: 'X-Request-Key' }).request({
      method: 'POST',
      path: '/pay',
      idempotencyKey: 'abc',
    })
    expect(fetch.calls.map((request) => request.headers.get('x-request-key'))).toEqual(['abc', 'abc'])
  })
})

describe('retry budget', () => {
  it('makes maxRetries + 1 attempts, then throws the last status class', async () => {
    const fetch = scriptedFetch(json(503, { error: { code: 'overloaded', message: 'try later' } }))
    const error = await transportFor(fetch, { maxRetries: 3 })
      .request({ method: 'GET', path: '/items' })
      .catch((e: unknown) => e)
    expect(fetch.calls).toHaveLength(4)
    expect(APIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ statusCode: 503, code: 'overloaded', message: 'try later' })
  })

  it('defaults to two retries', async () => {
    const fetch = scriptedFetch(json(500, {}))
    await expect(transportFor(fetch).request({ method: 'GET', path: '/items' })).rejects.toBeInstanceOf(
      APIError,
    )
    expect(fetch.calls).toHaveLength(3)
  })

  it('a per-request maxRetries overrides the transport', async () => {
    const fetch = scriptedFetch(json(500, {}))
    await expect(
      transportFor(fetch, { maxRetries: 5 }).request({ method: 'GET', path: '/items', maxRetries: 1 }),
    ).rejects.toBeInstanceOf(APIError)
    expect(fetch.calls).toHaveLength(2)
  })

  it("retry: 'never' sends exactly one attempt", async () => {
    const fetch = scriptedFetch(json(503, {}))
    await expect(
      transportFor(fetch).request({ method: 'GET', path: '/items', retry: 'never' }),
    ).rejects.toBeInstanceOf(APIError)
    expect(fetch.calls).toHaveLength(1)
  })

  it('exhausted 429 retries throw RateLimitError', async () => {
    const fetch = scriptedFetch(json(429, { error: 'slow_down' }, { 'retry-after': '0' }))
    const error = await transportFor(fetch, { maxRetries: 1 })
      .request({ method: 'GET', path: '/items' })
      .catch((e: unknown) => e)
    expect(RateLimitError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ statusCode: 429, code: 'slow_down', retryAfterMs: 0 })
    expect(fetch.calls).toHaveLength(2)
  })

  it('exhausted network retries throw the connection class', async () => {
    const fetch = scriptedFetch(resetError())
    const error = await transportFor(fetch, { maxRetries: 2 })
      .request({ method: 'GET', path: '/items' })
      .catch((e: unknown) => e)
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(fetch.calls).toHaveLength(3)
  })
})

describe('backoff and Retry-After', () => {
  /** Starts a request under fake timers and reports how many attempts were made so far. */
  function underFakeTimers(fetch: ReturnType<typeof scriptedFetch>, options: Partial<TransportOptions>) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'))
    const result = transportFor(fetch, options)
      .request({ method: 'GET', path: '/items' })
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      )
    return result
  }

  it('waits the jittered exponential backoff between attempts', async () => {
    const fetch = scriptedFetch(json(503, {}), json(503, {}), json(200, {}))
    // random 0.5 → three quarters of base·2ⁿ: 750 ms, then 1 500 ms.
    const result = underFakeTimers(fetch, { retry: { baseDelayMs: 1_000, random: () => 0.5 } })
    await vi.advanceTimersByTimeAsync(749)
    expect(fetch.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1_499)
    expect(fetch.calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch.calls).toHaveLength(3)
    await expect(result).resolves.toEqual({ value: {} })
  })

  it('honours Retry-After in seconds', async () => {
    const fetch = scriptedFetch(json(429, {}, { 'retry-after': '3' }), json(200, {}))
    const result = underFakeTimers(fetch, {})
    await vi.advanceTimersByTimeAsync(2_999)
    expect(fetch.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch.calls).toHaveLength(2)
    await expect(result).resolves.toEqual({ value: {} })
  })

  it('honours Retry-After as an HTTP date', async () => {
    const fetch = scriptedFetch(
      json(503, {}, { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }),
      json(200, {}),
    )
    const result = underFakeTimers(fetch, {})
    await vi.advanceTimersByTimeAsync(4_999)
    expect(fetch.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch.calls).toHaveLength(2)
    await expect(result).resolves.toEqual({ value: {} })
  })

  it('prefers retry-after-ms over Retry-After', async () => {
    const fetch = scriptedFetch(
      json(429, {}, { 'retry-after-ms': '250', 'retry-after': '30' }),
      json(200, {}),
    )
    const result = underFakeTimers(fetch, {})
    await vi.advanceTimersByTimeAsync(249)
    expect(fetch.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch.calls).toHaveLength(2)
    await expect(result).resolves.toEqual({ value: {} })
  })

  it('fails at once with RateLimitError carrying retryAfterMs when the server asks for more than 60 s', async () => {
    const fetch = scriptedFetch(json(429, { error: 'quota' }, { 'retry-after': '61' }), json(200, {}))
    const outcome = await underFakeTimers(fetch, {})
    expect(fetch.calls).toHaveLength(1)
    expect('error' in outcome && RateLimitError.isInstance(outcome.error)).toBe(true)
    expect(outcome).toMatchObject({ error: { statusCode: 429, retryAfterMs: 61_000 } })
  })

  it('accepts a Retry-After of exactly the cap', async () => {
    const fetch = scriptedFetch(json(429, {}, { 'retry-after': '60' }), json(200, {}))
    const result = underFakeTimers(fetch, {})
    await vi.advanceTimersByTimeAsync(60_000)
    expect(fetch.calls).toHaveLength(2)
    await expect(result).resolves.toEqual({ value: {} })
  })

  it('applies a custom maxRetryAfterMs cap', async () => {
    const fetch = scriptedFetch(json(429, {}, { 'retry-after': '2' }), json(200, {}))
    const outcome = await underFakeTimers(fetch, { retry: { maxRetryAfterMs: 1_000 } })
    expect(fetch.calls).toHaveLength(1)
    expect(outcome).toMatchObject({ error: { retryAfterMs: 2_000 } })
  })
})

describe('errors thrown by the transport', () => {
  it('a failed request rejects with an SdkError', async () => {
    const fetch = scriptedFetch(json(500, {}))
    const error = await transportFor(fetch, { maxRetries: 0 })
      .request({ method: 'GET', path: '/x' })
      .catch((e: unknown) => e)
    expect(SdkError.isInstance(error)).toBe(true)
    expect(error).toBeInstanceOf(SdkError)
  })
})
