import { afterEach, describe, expect, it, vi } from 'vitest'
import { VERSION } from '../src/index.js'
import { createTransport, runtimeName, userAgent } from '../src/internal/index.js'
import { sendJson, startServer } from './support/local-server.js'
import { json, scriptedFetch } from './support/scripted-fetch.js'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('userAgent', () => {
  it('names the package, core and the runtime', () => {
    expect(userAgent('@x/acme/1.2.3')).toBe(`@x/acme/1.2.3 @x/core/${VERSION} node/${process.versions.node}`)
  })

  it.each([
    [{ Deno: { version: { deno: '2.1.0' } } }, 'deno/2.1.0'],
    [{ Bun: { version: '1.2.0' } }, 'bun/1.2.0'],
    [{ process: undefined, EdgeRuntime: 'edge-runtime' }, 'edge-runtime'],
    [{ process: undefined, navigator: { userAgent: 'Cloudflare-Workers' } }, 'workerd'],
    [{ process: undefined, navigator: undefined }, 'unknown'],
  ])('recognises the runtime %j', (globals, expected) => {
    for (const [name, value] of Object.entries(globals)) vi.stubGlobal(name, value)
    expect(runtimeName()).toBe(expected)
  })
})

describe('the transport', () => {
  it('sends the User-Agent, default headers and per-request headers to the server', async () => {
    const server = await startServer((_request, response) => sendJson(response, 200, {}))
    try {
      await createTransport({
        baseUrl: `${server.url}/v1/`,
        userAgent: '@x/acme/1.2.3',
        headers: { 'x-default': 'd', 'x-overridden': 'old' },
      }).request({
        method: 'POST',
        path: '/agents',
        query: { page: 2, active: true, skip: undefined, none: null },
        json: { name: 'a' },
        headers: { 'x-overridden': 'new', 'x-absent': undefined },
      })
      const request = server.requests[0]
      expect(request?.headers['user-agent']).toBe(
        `@x/acme/1.2.3 @x/core/${VERSION} node/${process.versions.node}`,
      )
      expect(request?.headers['x-default']).toBe('d')
      expect(request?.headers['x-overridden']).toBe('new')
      expect(request?.headers).not.toHaveProperty('x-absent')
      expect(request?.headers['content-type']).toBe('application/json')
      expect(request?.headers.accept).toBe('application/json')
      expect(request?.url).toBe('/v1/agents?page=2&active=true')
      expect(request?.body).toBe('{"name":"a"}')
    } finally {
      await server.close()
    }
  })

  it('sends a form body url-encoded, leaving out undefined fields', async () => {
    const fetch = scriptedFetch(json(200, {}))
    await createTransport({ baseUrl: 'https://api.example.test', userAgent: 'a/1', fetch }).request({
      method: 'POST',
      path: '/token',
      form: { grant_type: 'client_credentials', scope: 'a b', audience: undefined },
    })
    expect(fetch.calls[0]?.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(fetch.bodies[0]).toBe('grant_type=client_credentials&scope=a+b')
  })

  it('uses an absolute path as is', async () => {
    const fetch = scriptedFetch(json(200, {}))
    await createTransport({ baseUrl: 'https://api.example.test', userAgent: 'a/1', fetch }).request({
      method: 'GET',
      path: 'https://other.example.test/x',
    })
    expect(fetch.calls[0]?.url).toBe('https://other.example.test/x')
  })

  it('uses the injected fetch and never the global one', async () => {
    const global = vi.fn(async () => json(200, { from: 'global' }))
    vi.stubGlobal('fetch', global)
    const injected = scriptedFetch(json(200, { from: 'injected' }))
    const transport = createTransport({
      baseUrl: 'https://api.example.test',
      userAgent: 'a/1',
      fetch: injected,
    })
    await expect(transport.request({ method: 'GET', path: '/x' })).resolves.toEqual({ from: 'injected' })
    expect(global).not.toHaveBeenCalled()
  })

  it('honours a globalThis.fetch replaced after the transport was created', async () => {
    const transport = createTransport({ baseUrl: 'https://api.example.test', userAgent: 'a/1' })
    const replaced = scriptedFetch(json(200, { from: 'replaced' }))
    vi.stubGlobal('fetch', replaced)
    await expect(transport.request({ method: 'GET', path: '/x' })).resolves.toEqual({ from: 'replaced' })
    expect(replaced.calls).toHaveLength(1)
  })

  it('requestWithResponse returns the headers with the body', async () => {
    const fetch = scriptedFetch(json(200, { id: 1 }, { 'x-total': '9' }))
    const { data, response } = await createTransport({
      baseUrl: 'https://api.example.test',
      userAgent: 'a/1',
      fetch,
    }).requestWithResponse({ method: 'GET', path: '/x' })
    expect(data).toEqual({ id: 1 })
    expect(response.headers.get('x-total')).toBe('9')
  })
})
