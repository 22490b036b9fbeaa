import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './shared-test-app.js'

let app: TestApp

beforeEach(async () => {
  app = await startTestApp()
})
afterEach(async () => {
  await app.server.close()
})

const postJson = (path: string, body: unknown) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('admin HTTP routes', () => {
  it('POST /__admin/faults adds a rule that then applies, and returns its id', async () => {
    const created = await postJson('/__admin/faults', { route: 'POST /api/work', status: 503, count: 1 })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    expect(id).toMatch(/^flt_/)
    expect((await fetch(`${app.url}/api/work`, { method: 'POST' })).status).toBe(503)
    expect((await fetch(`${app.url}/api/work`, { method: 'POST' })).status).toBe(200)
  })

  it('accepts snake_case fault fields from clients in other languages', async () => {
    await postJson('/__admin/faults', { route: 'POST /api/work', drop_connection: true })
    await expect(fetch(`${app.url}/api/work`, { method: 'POST' })).rejects.toThrow(TypeError)
  })

  it('DELETE /__admin/faults clears every rule', async () => {
    await postJson('/__admin/faults', { route: '*', status: 503, count: 5 })
    expect(
      (await fetch(`${app.url}/__admin/faults`, { method: 'DELETE', headers: app.adminHeaders })).status,
    ).toBe(204)
    expect((await fetch(`${app.url}/api/work`, { method: 'POST' })).status).toBe(200)
  })

  it('answers 400 with an error body for a bad rule or malformed JSON', async () => {
    const bad = await postJson('/__admin/faults', { route: 'nonsense', status: 503 })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_request' } })
    const malformed = await postJson('/__admin/faults', '{not json')
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: { code: 'bad_request' } })
  })

  it('POST /__admin/clock moves the server clock, visible in the Date header', async () => {
    const dayMs = 24 * 60 * 60 * 1000
    const response = await postJson('/__admin/clock', { offsetMs: dayMs })
    expect(response.status).toBe(200)
    expect(app.clock.offsetMs).toBe(dayMs)
    const served = await fetch(`${app.url}/api/items/1`)
    const serverDate = Date.parse(served.headers.get('date')!)
    // A day of offset dwarfs any scheduling noise.
    expect(serverDate - Date.now()).toBeGreaterThan(dayMs / 2)
  })

  it('GET /__admin/stats returns the sandbox counters', async () => {
    await fetch(`${app.url}/api/work`, { method: 'POST' })
    expect(await (await fetch(`${app.url}/__admin/stats`, { headers: app.adminHeaders })).json()).toEqual({
      work_calls: 1,
    })
  })

  it('serves the routes a sandbox adds and a JSON 404 for unknown admin paths', async () => {
    expect(await (await fetch(`${app.url}/__admin/hello`, { headers: app.adminHeaders })).json()).toEqual({
      hello: 'admin',
    })
    const missing = await fetch(`${app.url}/__admin/nope`, { headers: app.adminHeaders })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } })
  })
})
