import { getEventListeners } from 'node:events'
import type { ServerResponse } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ClientClosedError, ConnectionError, TimeoutError, UserAbortError } from '../src/index.js'
import { createTransport, type TransportOptions } from '../src/internal/index.js'
import { type LocalServer, startServer } from './support/local-server.js'
import { hang, json, scriptedFetch } from './support/scripted-fetch.js'

const quiet = { error() {}, warn() {}, info() {}, debug() {} }

function transportFor(fetch: typeof globalThis.fetch, options: Partial<TransportOptions> = {}) {
  return createTransport({
    baseUrl: 'https://api.example.test',
    userAgent: 'test/1.0.0',
    fetch,
    retry: { baseDelayMs: 0, random: () => 0 },
    logger: quiet,
    ...options,
  })
}

const settle = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )

let server: LocalServer | undefined
afterEach(async () => {
  vi.useRealTimers()
  await server?.close()
  server = undefined
})

describe('per-attempt timeout', () => {
  it('reaches a fetch that keeps only the signal, even after garbage collection ran', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const collecting = setInterval(gc, 1)
    try {
      const fetch = scriptedFetch(hang)
      const error = await transportFor(fetch, { timeoutMs: 30, maxRetries: 0 })
        .request({ method: 'GET', path: '/slow' })
        .catch((e: unknown) => e)
      expect(TimeoutError.isInstance(error)).toBe(true)
    } finally {
      clearInterval(collecting)
    }
  })

  it('a fetch that never answers fails with TimeoutError (code timeout)', async () => {
    const fetch = scriptedFetch(hang)
    const error = await transportFor(fetch, { timeoutMs: 20, maxRetries: 0 })
      .request({ method: 'GET', path: '/slow' })
      .catch((e: unknown) => e)
    expect(TimeoutError.isInstance(error)).toBe(true)
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'timeout' })
    expect((error as Error).message).toContain('GET https://api.example.test/slow timed out after 20 ms')
  })

  it('a GET is retried after a timeout', async () => {
    const fetch = scriptedFetch(hang, json(200, { ok: true }))
    await expect(
      transportFor(fetch, { timeoutMs: 20 }).request({ method: 'GET', path: '/slow' }),
    ).resolves.toEqual({ ok: true })
    expect(fetch.calls).toHaveLength(2)
  })

  it('a POST without an idempotency key is not retried after a timeout', async () => {
    const fetch = scriptedFetch(hang, json(200, { ok: true }))
    const error = await transportFor(fetch, { timeoutMs: 20 })
      .request({ method: 'POST', path: '/pay' })
      .catch((e: unknown) => e)
    expect(TimeoutError.isInstance(error)).toBe(true)
    expect(fetch.calls).toHaveLength(1)
  })

  it('a per-request timeoutMs overrides the transport default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const fetch = scriptedFetch(hang)
    const outcome = settle(
      transportFor(fetch, { timeoutMs: 60_000, maxRetries: 0 }).request({
        method: 'GET',
        path: '/slow',
        timeoutMs: 5_000,
      }),
    )
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await outcome).toMatchObject({ error: { code: 'timeout' } })
  })

  it('the timeout also covers a body that stalls after the headers', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{"partial":')
    })
    const transport = transportFor(globalThis.fetch, { baseUrl: server.url, timeoutMs: 100, maxRetries: 0 })
    const error = await transport.request({ method: 'GET', path: '/stall' }).catch((e: unknown) => e)
    expect(TimeoutError.isInstance(error)).toBe(true)
  })
})

describe('caller abort', () => {
  it('aborting during the backoff sleep rejects with UserAbortError without waiting for Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const controller = new AbortController()
    const fetch = scriptedFetch(
      () => {
        // The server asked for 30 s; the caller gives up as soon as it sees that answer.
        queueMicrotask(() => setTimeout(() => controller.abort(), 0))
        return json(429, {}, { 'retry-after': '30' })
      },
      json(200, {}),
    )
    const outcome = settle(
      transportFor(fetch).request({ method: 'GET', path: '/items', signal: controller.signal }),
    )
    // Far less than the 30 s sleep: only an abortable sleep can have settled by now.
    await vi.advanceTimersByTimeAsync(10)
    const result = await Promise.race([outcome, Promise.resolve('still waiting' as const)])
    expect(result).not.toBe('still waiting')
    expect(UserAbortError.isInstance((result as { error: unknown }).error)).toBe(true)
    expect(fetch.calls).toHaveLength(1)
  })

  it('aborting while the request is in flight rejects with UserAbortError and is not retried', async () => {
    const controller = new AbortController()
    const fetch = scriptedFetch((request) => {
      setTimeout(() => controller.abort(), 1)
      return hang(request)
    })
    const error = await transportFor(fetch)
      .request({ method: 'GET', path: '/items', signal: controller.signal })
      .catch((e: unknown) => e)
    expect(UserAbortError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ name: 'AbortError', code: 'aborted' })
    expect(fetch.calls).toHaveLength(1)
  })

  it('an already aborted signal sends nothing', async () => {
    const fetch = scriptedFetch(json(200, {}))
    const error = await transportFor(fetch)
      .request({ method: 'GET', path: '/items', signal: AbortSignal.abort() })
      .catch((e: unknown) => e)
    expect(UserAbortError.isInstance(error)).toBe(true)
    expect(fetch.calls).toHaveLength(0)
  })

  it('a real server that stalls is cut off by the caller signal', async () => {
    server = await startServer(() => {})
    const controller = new AbortController()
    const transport = transportFor(globalThis.fetch, { baseUrl: server.url })
    const pending = transport.request({ method: 'GET', path: '/stall', signal: controller.signal })
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    await expect(pending).rejects.toSatisfy(UserAbortError.isInstance.bind(UserAbortError))
  })
})

describe('a long-lived caller signal', () => {
  it('keeps no listener from requests that finished, succeeded or failed', async () => {
    const fetch = scriptedFetch(json(200, {}), json(404, {}), json(200, {}))
    const transport = transportFor(fetch)
    const controller = new AbortController()
    await transport.request({ method: 'GET', path: '/a', signal: controller.signal })
    await transport.request({ method: 'GET', path: '/b', signal: controller.signal }).catch(() => {})
    await transport.request({ method: 'GET', path: '/c', signal: controller.signal })
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('keeps no listener from a stream that was read to its end', async () => {
    const events = new Response('data: {"n":1}\n\n', { headers: { 'content-type': 'text/event-stream' } })
    const transport = transportFor(scriptedFetch(events))
    const controller = new AbortController()
    const received: unknown[] = []
    for await (const event of transport.stream({ method: 'GET', path: '/events', signal: controller.signal }))
      received.push(event.data)
    expect(received).toEqual([{ n: 1 }])
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('still aborts the request in flight after earlier requests finished with it', async () => {
    const fetch = scriptedFetch(json(200, {}), hang)
    const transport = transportFor(fetch)
    const controller = new AbortController()
    await transport.request({ method: 'GET', path: '/first', signal: controller.signal })
    const pending = transport.request({ method: 'GET', path: '/second', signal: controller.signal })
    while (fetch.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 1))
    controller.abort()
    await expect(pending).rejects.toSatisfy(UserAbortError.isInstance.bind(UserAbortError))
  })
})

describe('close and dispose', () => {
  it('close() aborts a request in flight with ClientClosedError', async () => {
    const fetch = scriptedFetch(hang)
    const transport = transportFor(fetch)
    const pending = transport.request({ method: 'GET', path: '/items' })
    while (fetch.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    transport.close()
    await expect(pending).rejects.toSatisfy(ClientClosedError.isInstance.bind(ClientClosedError))
    expect(fetch.calls).toHaveLength(1)
    expect(transport.closed).toBe(true)
  })

  it('close() during a backoff sleep stops the retries', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const fetch = scriptedFetch(json(503, {}, { 'retry-after': '30' }), json(200, {}))
    const transport = transportFor(fetch)
    const outcome = settle(transport.request({ method: 'GET', path: '/items' }))
    await vi.advanceTimersByTimeAsync(1)
    transport.close()
    await vi.advanceTimersByTimeAsync(1)
    const result = await Promise.race([outcome, Promise.resolve('still waiting' as const)])
    expect(ClientClosedError.isInstance((result as { error: unknown }).error)).toBe(true)
    expect(fetch.calls).toHaveLength(1)
  })

  it('calls after close() throw ClientClosedError without sending', async () => {
    const fetch = scriptedFetch(json(200, {}))
    const transport = transportFor(fetch)
    transport.close()
    const error = await transport.request({ method: 'GET', path: '/items' }).catch((e: unknown) => e)
    expect(ClientClosedError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'client_closed' })
    expect(fetch.calls).toHaveLength(0)
  })

  it('a stream opened after close() throws ClientClosedError', async () => {
    const fetch = scriptedFetch(json(200, {}))
    const transport = transportFor(fetch)
    transport.close()
    const iterate = async () => {
      for await (const _event of transport.stream({ method: 'GET', path: '/events' })) {
      }
    }
    await expect(iterate()).rejects.toSatisfy(ClientClosedError.isInstance.bind(ClientClosedError))
    expect(fetch.calls).toHaveLength(0)
  })

  it('close() ends a stream that is being read with ClientClosedError', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.write('data: {"n":1}\n\n')
    })
    const transport = transportFor(globalThis.fetch, { baseUrl: server.url })
    const read = async () => {
      for await (const _event of transport.stream({ method: 'GET', path: '/events' })) transport.close()
    }
    await expect(read()).rejects.toSatisfy(ClientClosedError.isInstance.bind(ClientClosedError))
  })

  it('`await using` closes the transport when the block ends', async () => {
    const fetch = scriptedFetch(json(200, { ok: true }))
    let escaped: ReturnType<typeof transportFor> | undefined
    {
      await using transport = transportFor(fetch)
      escaped = transport
      await transport.request({ method: 'GET', path: '/items' })
      expect(transport.closed).toBe(false)
    }
    expect(escaped.closed).toBe(true)
    await expect(escaped.request({ method: 'GET', path: '/items' })).rejects.toSatisfy(
      ClientClosedError.isInstance.bind(ClientClosedError),
    )
  })
})

describe('the runtime fetch takes the attempt signal in init (no fetch option)', () => {
  // The transport hands the runtime's fetch the attempt's signal itself, not through ky: these
  // prove every way an attempt ends still reaches a real connection.
  const platformTransport = (url: string, options: Partial<TransportOptions> = {}) =>
    createTransport({ baseUrl: url, userAgent: 'test/1.0.0', logger: quiet, maxRetries: 0, ...options })
  const waitForRequest = async (local: LocalServer) => {
    while (local.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  }

  it.each([
    ['a server that never answers', () => {}],
    [
      'a body that stalls after the headers',
      (_request: unknown, response: ServerResponse) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.write('{"partial":')
      },
    ],
  ])('the timeout cuts %s', async (_case, handler) => {
    server = await startServer(handler)
    const error = await platformTransport(server.url, { timeoutMs: 60 })
      .request({ method: 'GET', path: '/stall' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'timeout' })
    await server.connectionClosed
  })

  it("the caller's signal and close() cut a request in flight", async () => {
    server = await startServer(() => {})
    const controller = new AbortController()
    const transport = platformTransport(server.url)
    const aborted = transport.request({ method: 'GET', path: '/a', signal: controller.signal })
    await waitForRequest(server)
    controller.abort()
    await expect(aborted).rejects.toSatisfy(UserAbortError.isInstance.bind(UserAbortError))
    const closed = transport.request({ method: 'GET', path: '/b' })
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    transport.close()
    await expect(closed).rejects.toSatisfy(ClientClosedError.isInstance.bind(ClientClosedError))
  })

  it('a replaced globalThis.fetch that reads only the Request still gets the headers and the timeout', async () => {
    const replaced = scriptedFetch(json(200, { ok: true }), hang)
    vi.stubGlobal('fetch', replaced)
    try {
      const transport = createTransport({
        baseUrl: 'https://api.example.test',
        userAgent: 'test/1.0.0',
        logger: quiet,
        maxRetries: 0,
        timeoutMs: 30,
      })
      await expect(
        transport.request({ method: 'GET', path: '/a', headers: { 'x-trace': 't-1' } }),
      ).resolves.toEqual({ ok: true })
      expect(replaced.calls[0]?.headers.get('x-trace')).toBe('t-1')
      const error = await transport.request({ method: 'GET', path: '/b' }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'timeout' })
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('a request that succeeds leaves no listener on a long-lived caller signal', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end('{"ok":true}')
    })
    const controller = new AbortController()
    const transport = platformTransport(server.url)
    for (let index = 0; index < 3; index++) {
      await expect(
        transport.request({ method: 'GET', path: '/ok', signal: controller.signal }),
      ).resolves.toEqual({ ok: true })
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })
})
