import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readUntilEndOrCut } from './read-until-end-or-cut.js'
import { eventNames, startTestApp, type TestApp } from './shared-test-app.js'

let app: TestApp

beforeEach(async () => {
  app = await startTestApp()
})
afterEach(async () => {
  await app.server.close()
})

const work = () => fetch(`${app.url}/api/work`, { method: 'POST' })

describe('status faults', () => {
  it('fails the next N matching requests without running the handler, then lets requests through', async () => {
    app.faults.add({ route: 'POST /api/work', status: 503, count: 2 })
    expect((await work()).status).toBe(503)
    expect((await work()).status).toBe(503)
    expect(app.calls.work).toBe(0)
    const third = await work()
    expect(third.status).toBe(200)
    expect(await third.json()).toEqual({ done: 1 })
  })

  it('sends the rule body and headers, e.g. a 429 with Retry-After', async () => {
    app.faults.add({
      route: 'POST /api/*',
      status: 429,
      headers: { 'Retry-After': '7' },
      body: { error: { code: 'rate_limited', message: 'slow down' } },
    })
    const response = await work()
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('7')
    expect(await response.json()).toEqual({ error: { code: 'rate_limited', message: 'slow down' } })
  })

  it('sends a text body as text and uses the default body when the rule has none', async () => {
    app.faults.add({ route: 'POST /api/work', status: 500, body: 'boom' })
    app.faults.add({ route: 'POST /api/work', status: 503 })
    const text = await work()
    expect(text.headers.get('content-type')).toContain('text/plain')
    expect(await text.text()).toBe('boom')
    const fallback = await work()
    expect(await fallback.json()).toEqual({
      error: { code: 'injected_fault', message: 'Injected fault: HTTP 503' },
    })
  })

  it('with after: true runs the handler (the work is done) and still answers the failure', async () => {
    app.faults.add({ route: 'POST /api/work', status: 502, after: true })
    const response = await work()
    expect(response.status).toBe(502)
    expect(app.calls.work).toBe(1)
    expect(app.faults.log).toMatchObject([{ effect: 'status', after: true, path: '/api/work' }])
  })
})

describe('route matching', () => {
  it('matches the method and the wildcard path only', async () => {
    app.faults.add({ route: 'GET /api/items/*', status: 404 })
    expect((await work()).status).toBe(200)
    expect((await fetch(`${app.url}/api/items/a/b`)).status).toBe(404)
    expect((await fetch(`${app.url}/api/items/a`)).status).toBe(200)
  })

  it("'*' faults every route but never the admin routes", async () => {
    app.faults.add({ route: '*', status: 503, count: 3 })
    expect((await fetch(`${app.url}/__admin/hello`, { headers: app.adminHeaders })).status).toBe(200)
    expect((await fetch(`${app.url}/__admin/stats`, { headers: app.adminHeaders })).status).toBe(200)
    expect((await fetch(`${app.url}/api/items/1`)).status).toBe(503)
    expect((await work()).status).toBe(503)
    expect(app.faults.list()).toMatchObject([{ route: '*', remaining: 1 }])
  })

  it('applies the first live matching rule in insertion order', async () => {
    app.faults.add({ route: 'POST /api/work', status: 500 })
    app.faults.add({ route: 'POST /api/*', status: 503 })
    expect((await work()).status).toBe(500)
    expect((await work()).status).toBe(503)
    expect((await work()).status).toBe(200)
  })

  it('clear() removes every rule', async () => {
    app.faults.add({ route: '*', status: 503, count: 10 })
    app.faults.clear()
    expect((await work()).status).toBe(200)
  })
})

describe('latency', () => {
  it('delays a request without changing its answer', async () => {
    app.faults.add({ route: 'GET /api/items/*', latencyMs: 150 })
    const started = performance.now()
    const response = await fetch(`${app.url}/api/items/7`)
    // A lower bound only: a timer never fires meaningfully early, however busy the machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    expect(await response.json()).toEqual({ id: '7' })
    expect(app.faults.log).toMatchObject([{ effect: 'latency' }])
  })

  it('lets a client timeout fire while the server is held back', async () => {
    app.faults.add({ route: 'GET /api/items/*', latencyMs: 2_000 })
    await expect(fetch(`${app.url}/api/items/7`, { signal: AbortSignal.timeout(50) })).rejects.toThrow()
  })
})

describe('dropped connections', () => {
  it('destroys the connection before the handler runs', async () => {
    app.faults.add({ route: 'POST /api/work', dropConnection: true })
    await expect(work()).rejects.toThrow(TypeError)
    expect(app.calls.work).toBe(0)
    expect((await work()).status).toBe(200)
  })

  it('with after: true destroys the connection after the work was done', async () => {
    app.faults.add({ route: 'POST /api/work', dropConnection: true, after: true })
    await expect(work()).rejects.toThrow(TypeError)
    expect(app.calls.work).toBe(1)
  })
})

describe('stream cuts', () => {
  it('lets N complete events through and then cuts the connection without the terminal event', async () => {
    app.faults.add({ route: 'GET /api/events', cutStreamAfterEvents: 2 })
    const response = await fetch(`${app.url}/api/events`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const { text, cut } = await readUntilEndOrCut(response)
    expect(cut).toBe(true)
    expect(eventNames(text)).toEqual(['tick', 'tick'])
    expect(text.endsWith('\n\n')).toBe(true)
  })

  it('can cut before the first event', async () => {
    app.faults.add({ route: 'GET /api/events', cutStreamAfterEvents: 0 })
    const { text, cut } = await readUntilEndOrCut(await fetch(`${app.url}/api/events`))
    expect(cut).toBe(true)
    expect(text).toBe('')
  })

  it('leaves a stream shorter than N events intact', async () => {
    app.faults.add({ route: 'GET /api/events', cutStreamAfterEvents: 50 })
    const { text, cut } = await readUntilEndOrCut(await fetch(`${app.url}/api/events`))
    expect(cut).toBe(false)
    expect(eventNames(text)).toEqual(['tick', 'tick', 'tick', 'tick', 'tick', 'done'])
  })

  it('affects only the counted stream; the next one is whole', async () => {
    app.faults.add({ route: 'GET /api/events', cutStreamAfterEvents: 1 })
    expect((await readUntilEndOrCut(await fetch(`${app.url}/api/events`))).cut).toBe(true)
    const second = await readUntilEndOrCut(await fetch(`${app.url}/api/events`))
    expect(second.cut).toBe(false)
    expect(eventNames(second.text)).toHaveLength(6)
  })
})

describe('probability', () => {
  it('never fires at probability 0 and keeps its count', async () => {
    app.faults.add({ route: 'POST /api/work', status: 503, probability: 0 })
    for (let index = 0; index < 20; index++) expect((await work()).status).toBe(200)
    expect(app.faults.list()).toMatchObject([{ remaining: 1 }])
  })

  it('fires when the random draw falls under the probability', async () => {
    await app.server.close()
    const draws = [0.9, 0.2]
    app = await startTestApp({ random: () => draws.shift() ?? 1 })
    app.faults.add({ route: 'POST /api/work', status: 503, probability: 0.5 })
    expect((await work()).status).toBe(200)
    expect((await work()).status).toBe(503)
  })
})

describe('rule validation', () => {
  it('rejects a malformed rule with a message saying what is wrong', () => {
    expect(() => app.faults.add({ route: '/no-method', status: 503 })).toThrow(/route must be/)
    expect(() => app.faults.add({ route: '*', status: 42 })).toThrow(TypeError)
    expect(() => app.faults.add({ route: '*', status: 503, dropConnection: true })).toThrow(/not both/)
    expect(() => app.faults.add({ route: '*', probability: 2 })).toThrow(TypeError)
  })
})
