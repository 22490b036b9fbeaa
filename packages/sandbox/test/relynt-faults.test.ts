import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  adminHeaders,
  dealUpdate,
  getJson,
  postJson,
  type RelyntFixture,
  startFixture,
  toolCall,
} from './relynt-test-helpers.js'

let fixture: RelyntFixture

beforeEach(async () => {
  fixture = await startFixture({ connector: 'echo' })
})
afterEach(async () => {
  await fixture.sandbox.close()
})

describe('fault injection on the Relynt sandbox', () => {
  it('rate-limits with 429 rate_limited and Retry-After, then lets the retry through', async () => {
    fixture.sandbox.injectFault({
      route: 'POST /v1/agent-tool-call',
      status: 429,
      headers: { 'Retry-After': '2' },
    })
    const key = randomUUID()
    const limited = await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } })
    expect(fixture.sandbox.stats().receipts).toBe(0)
    expect((await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })).status).toBe(200)
  })

  it('answers 503 unavailable by default for a 503 fault', async () => {
    fixture.sandbox.injectFault({ route: 'GET /v1/receipts', status: 503 })
    const response = await getJson(fixture, '/v1/receipts')
    expect(response).toEqual({
      status: 503,
      body: { error: { code: 'unavailable', message: 'Injected fault: HTTP 503' } },
    })
  })

  it('fails with 502 after the work was done; the retry with the same key replays the real answer', async () => {
    fixture.sandbox.injectFault({ route: 'POST /v1/agent-tool-call', status: 502, after: true })
    const key = randomUUID()
    const failed = await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })
    expect(failed.status).toBe(502)
    expect(fixture.sandbox.stats()).toMatchObject({ receipts: 1, connectorCalls: 1 })
    const retry = await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(fixture.sandbox.stats()).toMatchObject({ receipts: 1, connectorCalls: 1 })
  })

  it('drops the connection after the work was done', async () => {
    fixture.sandbox.injectFault({ route: 'POST /v1/agent-tool-call', dropConnection: true, after: true })
    await expect(toolCall(fixture, dealUpdate({ amount: 1 }))).rejects.toThrow(TypeError)
    expect(fixture.sandbox.stats().receipts).toBe(1)
  })

  it('drops the connection before any work', async () => {
    fixture.sandbox.injectFault({ route: 'POST /v1/*', dropConnection: true })
    await expect(toolCall(fixture, dealUpdate({ amount: 1 }))).rejects.toThrow(TypeError)
    expect(fixture.sandbox.stats().receipts).toBe(0)
  })

  it('injects and clears faults through the admin API, which itself is never faulted', async () => {
    const added = await postJson(fixture, '/__admin/faults', { route: '*', status: 500, count: 5 })
    expect(added.status).toBe(201)
    expect((await getJson(fixture, '/__admin/stats')).status).toBe(200)
    expect((await toolCall(fixture, dealUpdate({ amount: 1 }))).status).toBe(500)
    await fetch(`${fixture.sandbox.url}/__admin/faults`, {
      method: 'DELETE',
      headers: adminHeaders(fixture.sandbox),
    })
    expect((await toolCall(fixture, dealUpdate({ amount: 1 }))).status).toBe(200)
  })

  it('clearFaults() removes pending rules', async () => {
    fixture.sandbox.injectFault({ route: '*', status: 503, count: 3 })
    fixture.sandbox.clearFaults()
    expect((await toolCall(fixture, dealUpdate({ amount: 1 }))).status).toBe(200)
  })

  it('reports state through GET /__admin/stats in snake_case', async () => {
    await toolCall(fixture, dealUpdate({ amount: 1 }))
    await toolCall(fixture, dealUpdate({ stage: 'closed_won' }))
    expect((await getJson(fixture, '/__admin/stats')).body).toEqual({
      agents: 1,
      gateway_calls: 2,
      replays: 0,
      conflicts: 0,
      receipts: 2,
      connector_calls: 1,
      idempotency_records: 2,
      simulations: 0,
      approvals: { pending: 1, approved: 0, denied: 0, expired: 0 },
      policy_version: 'v1',
    })
  })

  it('moves the server clock through POST /__admin/clock, visible in receipt timestamps', async () => {
    const yearMs = 365 * 24 * 60 * 60 * 1000
    await postJson(fixture, '/__admin/clock', { offsetMs: yearMs })
    const { body } = await getJson(
      fixture,
      `/v1/receipts/${(await (await toolCall(fixture, dealUpdate({}))).json()).receipt_id}`,
    )
    expect(Date.parse(body.created_at as string) - Date.now()).toBeGreaterThan(yearMs / 2)
  })
})
