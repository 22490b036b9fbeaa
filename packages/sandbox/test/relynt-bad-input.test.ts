import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dealUpdate, type RelyntFixture, startFixture, toolCall } from './relynt-test-helpers.js'

let fixture: RelyntFixture

beforeEach(async () => {
  fixture = await startFixture()
})
afterEach(async () => {
  await fixture.sandbox.close()
})

async function expectBadRequest(response: Response, messagePart?: string) {
  expect(response.status).toBe(400)
  const body = (await response.json()) as { error: { code: string; message: string } }
  expect(body.error.code).toBe('bad_request')
  if (messagePart !== undefined) expect(body.error.message).toContain(messagePart)
}

describe('bad input to the gateway', () => {
  it('answers 400 for malformed JSON and keeps serving', async () => {
    await expectBadRequest(await toolCall(fixture, null, { rawBody: '{"instance_id": ' }), 'not valid JSON')
    expect((await toolCall(fixture, dealUpdate({ amount: 1 }))).status).toBe(200)
  })

  it('answers 400 for a body that is not an object', async () => {
    await expectBadRequest(await toolCall(fixture, [1, 2]), 'JSON object')
    await expectBadRequest(await toolCall(fixture, null, { rawBody: 'null' }), 'JSON object')
  })

  it('answers 400 naming each missing or mistyped field', async () => {
    await expectBadRequest(
      await toolCall(fixture, { action: 'update_deal', resource: 'crm:deal:1' }),
      'instance_id',
    )
    await expectBadRequest(await toolCall(fixture, { instance_id: 'r', resource: 'crm:deal:1' }), 'action')
    await expectBadRequest(
      await toolCall(fixture, { instance_id: 'r', action: 'update_deal', resource: 7 }),
      'resource',
    )
    await expectBadRequest(await toolCall(fixture, { ...dealUpdate({}), payload: [1] }), 'payload')
    await expectBadRequest(await toolCall(fixture, { ...dealUpdate({}), payload: null }), 'payload')
    await expectBadRequest(await toolCall(fixture, { ...dealUpdate({}), instance_id: '' }), 'instance_id')
  })

  it('answers 400 when the body is not sent as application/json', async () => {
    await expectBadRequest(
      await toolCall(fixture, dealUpdate({ amount: 1 }), { contentType: 'text/plain' }),
      'application/json',
    )
  })

  it('answers 400 for an unusable Idempotency-Key', async () => {
    await expectBadRequest(
      await toolCall(fixture, dealUpdate({}), { idempotencyKey: 'x'.repeat(256) }),
      'Idempotency-Key',
    )
  })

  it('writes nothing for rejected input', async () => {
    await toolCall(fixture, null, { rawBody: '{' })
    await toolCall(fixture, { action: 'x' })
    expect(fixture.sandbox.stats()).toMatchObject({ receipts: 0, idempotencyRecords: 0 })
  })

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${fixture.sandbox.url}/v2/nothing`, {
      headers: { authorization: fixture.authorization },
    })
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } })
  })

  it('refuses to bind a non-loopback host', async () => {
    const { startRelyntSandbox } = await import('../src/relynt/start-relynt-sandbox.js')
    await expect(startRelyntSandbox({ host: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })
})
