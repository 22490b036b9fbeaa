import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { APIError, ConnectionError, SdkError, TimeoutError } from '../src/index.js'
import {
  type AuthHook,
  createTransport,
  DEFAULT_MAX_RESPONSE_BYTES,
  MAX_HEADER_VALUE_LENGTH,
  type TransportOptions,
} from '../src/internal/index.js'
import { flood, type LocalServer, sendJson, startServer } from './support/local-server.js'
import { json, scriptedFetch } from './support/scripted-fetch.js'

const quiet = { error() {}, warn() {}, info() {}, debug() {} }

function transportFor(options: Partial<TransportOptions> & { baseUrl: string }) {
  return createTransport({
    userAgent: 'test/1.0.0',
    retry: { baseDelayMs: 0, random: () => 0 },
    logger: quiet,
    ...options,
  })
}

const servers: LocalServer[] = []
async function serve(handler: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const server = await startServer(handler)
  servers.push(server)
  return server
}
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

/** "The other origin": a server that must never see a request. */
async function otherOrigin() {
  return serve((_request, response) => sendJson(response, 200, { stolen: true }))
}

describe('redirects are never followed', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} to another origin is an unexpected_redirect error and nothing reaches that origin`, async () => {
      const other = await otherOrigin()
      const server = await serve((_request, response) => {
        response.writeHead(status, { location: `${other.url}/collect?access_token=leaked-token-123` })
        response.end()
      })
      const error = await caught(
        transportFor({ baseUrl: server.url }).request({
          method: 'POST',
          path: '/pay',
          json: { amount: 5 },
          idempotencyKey: 'key-1',
        }),
      )
      expect(APIError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: status })
      const message = (error as Error).message
      expect(message).toContain(String(status))
      expect(message).toContain(other.url)
      expect(message).toContain('not re-sent')
      expect(JSON.stringify(error)).not.toContain('leaked-token-123')
      expect((error as APIError).headers.location).toBe(other.url)
      expect(server.requests).toHaveLength(1)
      expect(other.requests).toHaveLength(0)
    })
  }

  it('a GET answered 302 is not retried, however many retries it may have', async () => {
    const other = await otherOrigin()
    const server = await serve((_request, response) => {
      response.writeHead(302, { location: `${other.url}/` })
      response.end()
    })
    const error = await caught(
      transportFor({ baseUrl: server.url, maxRetries: 5 }).request({ method: 'GET', path: '/items' }),
    )
    expect(error).toMatchObject({ code: 'unexpected_redirect' })
    expect(server.requests).toHaveLength(1)
    expect(other.requests).toHaveLength(0)
  })

  it('an injected fetch is asked for redirect: manual, so a redirect it honours reaches no one', async () => {
    const other = await otherOrigin()
    const server = await serve((_request, response) => {
      response.writeHead(307, { location: `${other.url}/steal` })
      response.end()
    })
    const seen: RequestRedirect[] = []
    const fetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init)
      seen.push(request.redirect)
      return globalThis.fetch(request)
    }
    const error = await caught(
      transportFor({ baseUrl: server.url, fetch }).request({ method: 'GET', path: '/items' }),
    )
    expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: 307 })
    expect(seen).toEqual(['manual'])
    expect(other.requests).toHaveLength(0)
  })

  it('a stream answered 307 fails before any event, and nothing reaches the other origin', async () => {
    const other = await otherOrigin()
    const server = await serve((_request, response) => {
      response.writeHead(307, { location: `${other.url}/stream` })
      response.end()
    })
    const stream = transportFor({ baseUrl: server.url }).stream({ method: 'POST', path: '/chat', json: {} })
    const error = await caught(
      (async () => {
        for await (const _event of stream);
      })(),
    )
    expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: 307 })
    expect(other.requests).toHaveLength(0)
  })

  it('an opaque redirect (status 0, as browsers report it) is an unexpected_redirect error', async () => {
    const opaque = new Response(null, { status: 200 })
    Object.defineProperties(opaque, { status: { value: 0 }, type: { value: 'opaqueredirect' } })
    const fetch = scriptedFetch(() => opaque)
    const error = await caught(
      transportFor({ baseUrl: 'https://api.example.test', fetch }).request({ method: 'GET', path: '/x' }),
    )
    expect(APIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: 0 })
    expect((error as Error).message).toContain('answered with a redirect')
    expect(fetch.calls).toHaveLength(1)
  })

  it('a response an injected fetch reached by following a redirect anyway is refused', async () => {
    const followed = json(200, { ok: true })
    Object.defineProperties(followed, {
      redirected: { value: true },
      url: { value: 'https://elsewhere.example.test/landing?token=abc' },
    })
    const fetch = scriptedFetch(() => followed)
    const error = await caught(
      transportFor({ baseUrl: 'https://api.example.test', fetch }).request({ method: 'GET', path: '/x' }),
    )
    expect(error).toMatchObject({ code: 'unexpected_redirect' })
    expect((error as Error).message).toContain('https://elsewhere.example.test')
    expect((error as Error).message).not.toContain('token=abc')
  })
})

describe('response bodies are read within maxResponseBytes', () => {
  it('defaults to 10 MiB', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(10 * 1024 * 1024)
  })

  it('a Content-Length over the limit fails before reading and closes the connection', async () => {
    let written: Promise<number> | undefined
    const server = await serve((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(300 * 1024 * 1024),
      })
      written = flood(response, 'x'.repeat(64 * 1024), 300 * 1024 * 1024).written
    })
    const error = await caught(
      transportFor({ baseUrl: server.url, maxResponseBytes: 1024 }).request({ method: 'GET', path: '/big' }),
    )
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'response_too_large' })
    expect((error as Error).message).toContain('Content-Length of 314572800 bytes')
    // The server stopped because the client closed the connection, far short of its 300 MB.
    expect(await written).toBeLessThan(64 * 1024 * 1024)
    expect(server.requests).toHaveLength(1)
  })

  it('a body growing past the limit mid-way is cut off: the connection is aborted', async () => {
    let written: Promise<number> | undefined
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      written = flood(response, `[${'1,'.repeat(32 * 1024)}`, 1024 * 1024 * 1024).written
    })
    const error = await caught(
      transportFor({ baseUrl: server.url, maxResponseBytes: 256 * 1024, maxRetries: 3 }).request({
        method: 'GET',
        path: '/endless',
      }),
    )
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'response_too_large' })
    expect((error as Error).message).toContain('larger than maxResponseBytes (262144 bytes)')
    expect(await written).toBeLessThan(64 * 1024 * 1024)
    // Never retried: the server would only send the same body again.
    expect(server.requests).toHaveLength(1)
  })

  it('a small compressed body that inflates past the limit is cut off (a gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '))
    const server = await serve((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      })
      response.end(bomb)
    })
    expect(bomb.length).toBeLessThan(1024 * 1024)
    const error = await caught(
      transportFor({ baseUrl: server.url, maxResponseBytes: 1024 * 1024 }).request({
        method: 'GET',
        path: '/x',
      }),
    )
    expect(error).toMatchObject({ code: 'response_too_large' })
    expect((error as Error).message).toContain('larger than maxResponseBytes')
  })

  it('an error status with an oversized body is response_too_large too', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/html' })
      flood(response, '<p>oops</p>'.repeat(1000), 100 * 1024 * 1024)
    })
    const error = await caught(
      transportFor({ baseUrl: server.url, maxResponseBytes: 4096 }).request({ method: 'GET', path: '/x' }),
    )
    expect(error).toMatchObject({ code: 'response_too_large' })
  })

  it('a body of exactly the limit is read', async () => {
    const body = JSON.stringify({ data: 'y'.repeat(1000) })
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(body)
    })
    const data = await transportFor({ baseUrl: server.url, maxResponseBytes: body.length }).request({
      method: 'GET',
      path: '/x',
    })
    expect(data).toEqual({ data: 'y'.repeat(1000) })
  })

  it('a request can raise or lower the limit for itself', async () => {
    const server = await serve((_request, response) => sendJson(response, 200, { data: 'z'.repeat(2000) }))
    const transport = transportFor({ baseUrl: server.url, maxResponseBytes: 100 })
    await expect(transport.request({ method: 'GET', path: '/x', maxResponseBytes: 10_000 })).resolves.toEqual(
      {
        data: 'z'.repeat(2000),
      },
    )
    const lowered = transportFor({ baseUrl: server.url })
    await expect(lowered.request({ method: 'GET', path: '/x', maxResponseBytes: 100 })).rejects.toMatchObject(
      {
        code: 'response_too_large',
      },
    )
  })

  it('multi-byte text split across chunks decodes intact', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      const bytes = Buffer.from(JSON.stringify({ text: 'é€😀'.repeat(5000) }))
      // Split inside a multi-byte character on purpose.
      response.write(bytes.subarray(0, 10_001))
      setTimeout(() => response.end(bytes.subarray(10_001)), 5)
    })
    const data = await transportFor({ baseUrl: server.url }).request({ method: 'GET', path: '/x' })
    expect(data).toEqual({ text: 'é€😀'.repeat(5000) })
  })
})

describe('server-sent events are bounded', () => {
  it('a line that never ends fails with response_too_large and closes the connection', async () => {
    let written: Promise<number> | undefined
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.write('data: ')
      written = flood(response, 'a'.repeat(16 * 1024), 1024 * 1024 * 1024).written
    })
    const stream = transportFor({ baseUrl: server.url }).stream({
      method: 'GET',
      path: '/events',
      maxEventLength: 64 * 1024,
    })
    const error = await caught(
      (async () => {
        for await (const _event of stream);
      })(),
    )
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'response_too_large' })
    expect(await written).toBeLessThan(64 * 1024 * 1024)
  })

  it('an event made of many short data lines is bounded too', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      flood(response, 'data: 0123456789\n'.repeat(1000), 1024 * 1024 * 1024)
    })
    const stream = transportFor({ baseUrl: server.url }).stream({
      method: 'GET',
      path: '/events',
      maxEventLength: 32 * 1024,
    })
    const error = await caught(
      (async () => {
        for await (const _event of stream);
      })(),
    )
    expect(error).toMatchObject({ code: 'response_too_large' })
  })

  it('maxDurationMs closes a stream that keeps sending, with a timeout error', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      const timer = setInterval(() => response.write(': keep-alive\n\ndata: 1\n\n'), 5)
      response.on('close', () => clearInterval(timer))
    })
    const events: unknown[] = []
    const error = await caught(
      (async () => {
        for await (const event of transportFor({ baseUrl: server.url }).stream({
          method: 'GET',
          path: '/events',
          maxDurationMs: 100,
          idleTimeoutMs: 60_000,
        }))
          events.push(event)
      })(),
    )
    expect(TimeoutError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'stream_max_duration' })
    await server.connectionClosed
  })
})

describe('header values are checked before sending', () => {
  const fetchNeverCalled = () => scriptedFetch(json(200, {}))

  for (const [what, value] of [
    ['a line feed', 'key\nInjected: 1'],
    ['a carriage return', 'key\r'],
    ['a control character', 'key\u0000'],
    ['a non-ASCII character', 'clé'],
  ] as const) {
    it(`an idempotency key with ${what} is a config error naming idempotencyKey`, async () => {
      const fetch = fetchNeverCalled()
      const error = await caught(
        transportFor({ baseUrl: 'https://api.example.test', fetch }).request({
          method: 'POST',
          path: '/pay',
          idempotencyKey: value,
        }),
      )
      expect(SdkError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'invalid_argument' })
      expect((error as Error).message).toContain('idempotencyKey')
      expect((error as Error).message).toContain(what)
      expect(fetch.calls).toHaveLength(0)
    })
  }

  it(`a header value over ${MAX_HEADER_VALUE_LENGTH} characters is refused, without quoting it`, async () => {
    const fetch = fetchNeverCalled()
    const error = await caught(
      transportFor({ baseUrl: 'https://api.example.test', fetch }).request({
        method: 'GET',
        path: '/x',
        headers: { 'x-note': 's'.repeat(MAX_HEADER_VALUE_LENGTH + 1) },
      }),
    )
    expect(error).toMatchObject({ code: 'invalid_argument' })
    expect((error as Error).message).toContain("headers['x-note']")
    expect((error as Error).message).not.toContain('sss')
    expect(fetch.calls).toHaveLength(0)
  })

  it('an invalid header name is a config error too', async () => {
    const fetch = fetchNeverCalled()
    await expect(
      transportFor({ baseUrl: 'https://api.example.test', fetch }).request({
        method: 'GET',
        path: '/x',
        headers: { 'bad name': 'v' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    expect(fetch.calls).toHaveLength(0)
  })

  it("a transport's own headers are checked when it is created", () => {
    expect(() =>
      transportFor({ baseUrl: 'https://api.example.test', headers: { 'x-tenant': 'a\r\nb' } }),
    ).toThrow(/headers\['x-tenant'\] contains a carriage return/)
  })

  it("the family's config error class is used", async () => {
    class FamilyConfigError extends SdkError {
      static override readonly brand: symbol = Symbol.for('x.error.test.FamilyConfigError')
    }
    const { defaultErrorMap } = await import('../src/internal/index.js')
    const error = await caught(
      transportFor({
        baseUrl: 'https://api.example.test',
        fetch: fetchNeverCalled(),
        errors: { ...defaultErrorMap, config: FamilyConfigError },
      }).request({ method: 'POST', path: '/pay', idempotencyKey: 'a\nb' }),
    )
    expect(FamilyConfigError.isInstance(error)).toBe(true)
  })
})

describe('Retry-After cannot make the client hammer', () => {
  it('a server answering Retry-After: 0 forever gets a few attempts in 2 s, not hundreds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const fetch = scriptedFetch(json(503, {}, { 'retry-after': '0' }))
    const transport = createTransport({
      baseUrl: 'https://api.example.test',
      userAgent: 'test/1.0.0',
      fetch,
      maxRetries: 1000,
      logger: quiet,
    })
    const result = transport.request({ method: 'GET', path: '/x' }).catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(2_000)
    // Default backoff floors: 250, 500, 1 000 ms … → attempts at 0, 250, 750 and 1 750 ms.
    expect(fetch.calls).toHaveLength(4)
    transport.close()
    await vi.advanceTimersByTimeAsync(10_000)
    await result
  })
})

describe('request bodies built per attempt', () => {
  it('a json function is called for every attempt, retries and re-sends included', async () => {
    let built = 0
    const fetch = scriptedFetch(json(401, {}), json(503, {}), json(200, { ok: true }))
    const auth: AuthHook = {
      authorize() {},
      challenge: (response) => (response.status === 401 ? 'nonce' : undefined),
    }
    await transportFor({ baseUrl: 'https://api.example.test', fetch, auth }).request({
      method: 'PUT',
      path: '/x',
      json: () => ({ attempt: built++ }),
    })
    expect(fetch.bodies).toEqual(['{"attempt":0}', '{"attempt":1}', '{"attempt":2}'])
    expect(fetch.calls[0]!.headers.get('content-type')).toBe('application/json')
  })

  it('an async form function is encoded afresh for every attempt', async () => {
    let built = 0
    const fetch = scriptedFetch(json(503, {}), json(200, {}))
    await transportFor({ baseUrl: 'https://api.example.test', fetch }).request({
      method: 'PUT',
      path: '/x',
      form: async () => ({ assertion: `jwt-${built++}`, skipped: undefined }),
    })
    expect(fetch.bodies).toEqual(['assertion=jwt-0', 'assertion=jwt-1'])
  })

  it("the challenge hook gets the family's API error built from a non-2xx body", async () => {
    const fetch = scriptedFetch(json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n1' }), json(200, {}))
    const seen: unknown[] = []
    const auth: AuthHook = {
      authorize() {},
      challenge(_response, _context, error) {
        seen.push(error)
        return (error as APIError | undefined)?.code === 'use_dpop_nonce' ? 'nonce' : undefined
      },
    }
    await transportFor({ baseUrl: 'https://api.example.test', fetch, auth }).request({
      method: 'POST',
      path: '/token',
    })
    expect(seen).toHaveLength(2)
    expect(seen[0]).toMatchObject({ statusCode: 400, code: 'use_dpop_nonce' })
    expect(seen[1]).toBeUndefined()
    expect(fetch.calls).toHaveLength(2)
  })
})
