import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  adminHeaders,
  dealUpdate,
  getJson,
  type RelyntFixture,
  startFixture,
  toolCall,
} from './relynt-test-helpers.js'

let fixture: RelyntFixture

beforeEach(async () => {
  fixture = await startFixture()
})
afterEach(async () => {
  await fixture.sandbox.close()
})

const body = dealUpdate({ amount: 100 })

describe('agent authentication', () => {
  it('rejects a call without credentials with 401 unauthorized and a Bearer challenge', async () => {
    const response = await toolCall(fixture, body, { authorization: null })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('Bearer')
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } })
  })

  it('rejects a wrong secret and never echoes the presented secret', async () => {
    const wrong = 'rls_definitely-not-the-secret'
    const response = await toolCall(fixture, body, { authorization: `Bearer ${fixture.agentId}:${wrong}` })
    expect(response.status).toBe(401)
    const text = await response.text()
    expect(text).toContain('unauthorized')
    expect(text).not.toContain(wrong)
  })

  it('rejects an unknown agent and a malformed header the same way', async () => {
    const unknown = await toolCall(fixture, body, { authorization: `Bearer agt_nobody:${fixture.secret}` })
    expect(unknown.status).toBe(401)
    const malformed = await toolCall(fixture, body, { authorization: `Basic ${fixture.secret}` })
    expect(malformed.status).toBe(401)
    expect(await malformed.text()).not.toContain(fixture.secret)
  })

  it('stops accepting the old secret as soon as it is rotated', async () => {
    const { secret } = fixture.sandbox.rotateSecret(fixture.agentId)
    expect(secret).not.toBe(fixture.secret)
    expect((await toolCall(fixture, body)).status).toBe(401)
    expect((await toolCall(fixture, body, { authorization: `Bearer ${secret}` })).status).toBe(200)
  })

  it('rotates through the admin API too', async () => {
    const response = await fetch(`${fixture.sandbox.url}/__admin/agents/${fixture.agentId}/rotate`, {
      method: 'POST',
      headers: adminHeaders(fixture.sandbox),
    })
    const { secret } = (await response.json()) as { secret: string }
    expect((await toolCall(fixture, body)).status).toBe(401)
    expect((await toolCall(fixture, body, { authorization: `Bearer ${secret}` })).status).toBe(200)
  })

  it('answers 403 forbidden for an agent of another organisation', async () => {
    const outsider = fixture.sandbox.createAgent({ organizationId: 'org_other' })
    const response = await toolCall(fixture, body, {
      authorization: `Bearer ${outsider.secret}`,
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } })
  })

  it('protects the receipt, approval and simulator routes too', async () => {
    for (const path of ['/v1/receipts', '/v1/receipts/rec_x', '/v1/approvals/apr_x']) {
      expect((await getJson(fixture, path, 'Bearer nope:nope')).status).toBe(401)
    }
    const simulator = await fetch(`${fixture.sandbox.url}/v1/policy-simulator`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(simulator.status).toBe(401)
  })

  it('creates agents through the admin API', async () => {
    const response = await fetch(`${fixture.sandbox.url}/__admin/agents`, {
      method: 'POST',
      headers: { ...adminHeaders(fixture.sandbox), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-python' }),
    })
    expect(response.status).toBe(201)
    const { agent_id, secret } = (await response.json()) as { agent_id: string; secret: string }
    // The one string the dashboard shows: the whole value after `Bearer `.
    expect(secret.startsWith(`${agent_id}:`)).toBe(true)
    expect((await toolCall(fixture, body, { authorization: `Bearer ${secret}` })).status).toBe(200)
  })
})
