import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectorCall } from '../src/relynt/tool-connector.js'
import { dealUpdate, type RelyntFixture, startFixture, toolCall } from './relynt-test-helpers.js'

let fixture: RelyntFixture

afterEach(async () => {
  await fixture.sandbox.close()
})

describe('idempotency', () => {
  it('replays the byte-identical response for the same key and writes nothing new', async () => {
    fixture = await startFixture({ connector: 'echo' })
    const key = randomUUID()
    const body = dealUpdate({ amount: 300 })
    const first = await toolCall(fixture, body, { idempotencyKey: key })
    const firstText = await first.text()
    const afterFirst = fixture.sandbox.stats()
    expect(afterFirst.receipts).toBe(1)
    expect(afterFirst.connectorCalls).toBe(1)

    const replay = await toolCall(fixture, body, { idempotencyKey: key })
    expect(replay.status).toBe(first.status)
    expect(await replay.text()).toBe(firstText)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    const afterReplay = fixture.sandbox.stats()
    expect(afterReplay.receipts).toBe(1)
    expect(afterReplay.connectorCalls).toBe(1)
    expect(afterReplay.replays).toBe(1)
  })

  it('treats a reformatted but equal body as the same request', async () => {
    fixture = await startFixture()
    const key = randomUUID()
    const first = await toolCall(fixture, null, {
      idempotencyKey: key,
      rawBody: '{"instance_id":"r","action":"close_ticket","resource":"support:ticket:1"}',
    })
    const second = await toolCall(fixture, null, {
      idempotencyKey: key,
      rawBody: '{ "resource": "support:ticket:1", "action": "close_ticket", "instance_id": "r" }',
    })
    expect(await second.text()).toBe(await first.text())
    expect(fixture.sandbox.stats().receipts).toBe(1)
  })

  it('answers 409 conflict for the same key with a different body, writing nothing', async () => {
    fixture = await startFixture()
    const key = randomUUID()
    expect((await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })).status).toBe(200)
    const conflict = await toolCall(fixture, dealUpdate({ amount: 2 }), { idempotencyKey: key })
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({ error: { code: 'conflict' } })
    expect(fixture.sandbox.stats().receipts).toBe(1)
  })

  it('scopes keys per agent', async () => {
    fixture = await startFixture()
    const other = fixture.sandbox.createAgent()
    const key = randomUUID()
    await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })
    const response = await toolCall(fixture, dealUpdate({ amount: 2 }), {
      idempotencyKey: key,
      authorization: `Bearer ${other.secret}`,
    })
    expect(response.status).toBe(200)
    expect(fixture.sandbox.stats().receipts).toBe(2)
  })

  it('runs concurrent requests with the same key once; the others wait and get the same answer', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const calls: ConnectorCall[] = []
    fixture = await startFixture({
      connector: async (call) => {
        calls.push(call)
        await gate
        return { written: true }
      },
    })
    const key = randomUUID()
    const body = dealUpdate({ amount: 10 })
    const responses = [1, 2, 3].map(() => toolCall(fixture, body, { idempotencyKey: key }))
    // Let all three reach the server before the connector may finish.
    while (fixture.sandbox.stats().gatewayCalls < 3) await new Promise((resolve) => setTimeout(resolve, 5))
    release()
    const texts = await Promise.all(responses.map(async (response) => (await response).text()))
    expect(new Set(texts).size).toBe(1)
    expect(JSON.parse(texts[0]!)).toMatchObject({ decision: 'allow', tool_response: { written: true } })
    expect(calls).toHaveLength(1)
    expect(fixture.sandbox.stats()).toMatchObject({ receipts: 1, connectorCalls: 1, replays: 2 })
  })

  it('requires the Idempotency-Key header', async () => {
    fixture = await startFixture()
    const response = await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: null })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      error: { code: 'bad_request', message: expect.stringContaining('Idempotency-Key') },
    })
    expect(fixture.sandbox.stats().receipts).toBe(0)
  })

  it('does not burn the key on a rejected body, so the fixed request can reuse it', async () => {
    fixture = await startFixture()
    const key = randomUUID()
    expect((await toolCall(fixture, { action: 'update_deal' }, { idempotencyKey: key })).status).toBe(400)
    expect((await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })).status).toBe(200)
  })

  it('forgets keys after 24 hours of server time', async () => {
    fixture = await startFixture()
    const key = randomUUID()
    await toolCall(fixture, dealUpdate({ amount: 1 }), { idempotencyKey: key })
    fixture.sandbox.setClockOffset(24 * 60 * 60 * 1000 + 1)
    const reused = await toolCall(fixture, dealUpdate({ amount: 2 }), { idempotencyKey: key })
    expect(reused.status).toBe(200)
    expect(reused.headers.get('idempotent-replayed')).toBeNull()
    expect(fixture.sandbox.stats().receipts).toBe(2)
  })
})
