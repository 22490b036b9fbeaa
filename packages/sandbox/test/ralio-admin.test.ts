import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import { adminHeaders, postJson, TestCredential } from './ralio-test-client.js'

let sandbox: RalioSandbox
let credential: TestCredential
let token: string

beforeAll(async () => {
  sandbox = await startRalioSandbox({ spendLimit: '100.00' })
  credential = await TestCredential.register(sandbox)
  token = (await credential.mintToken()).access_token
})
afterAll(() => sandbox.close())

const chat = (message: string) =>
  credential.resource('POST', '/api/chat', { token, body: { agent_id: sandbox.agents[0]?.id, message } })

describe('Ralio admin API', () => {
  it('reports stats in snake_case: chats, intents per reference, token counters', async () => {
    await chat('pay £5 to Bob for STATS-1')
    const response = await fetch(`${sandbox.url}/__admin/stats`, { headers: adminHeaders(sandbox) })
    expect(response.status).toBe(200)
    const stats = (await response.json()) as Record<string, unknown>
    expect(stats).toMatchObject({
      registrations: 1,
      token_requests: 1,
      tokens_issued: 1,
      refreshes: 0,
      family_revocations: 0,
      transactions: 1,
      chats: [
        expect.objectContaining({
          message: 'pay £5 to Bob for STATS-1',
          conversation_id: expect.any(String),
        }),
      ],
      payment_intents: [
        expect.objectContaining({ reference: 'STATS-1', amount: '5.00', approval_status: 'auto_approved' }),
      ],
    })
  })

  it('lists intents waiting for approval, and changes the spend limit', async () => {
    await chat('pay £150 to Carol for WAIT-1')
    const waiting = await fetch(`${sandbox.url}/__admin/payment-intents?status=pending_user_approval`, {
      headers: adminHeaders(sandbox),
    })
    const body = (await waiting.json()) as {
      payment_intents: { id: string; instructions: { reference: string }[] }[]
    }
    expect(body.payment_intents.map((intent) => intent.instructions[0]?.reference)).toEqual(['WAIT-1'])

    const limit = await fetch(`${sandbox.url}/__admin/spend-limit`, {
      method: 'PUT',
      headers: { ...adminHeaders(sandbox), 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '500.00' }),
    })
    expect(limit.status).toBe(200)
    await chat('pay £150 to Carol for AUTO-1')
    expect(
      sandbox.stats().paymentIntents.find((intent) => intent.reference === 'AUTO-1')?.approvalStatus,
    ).toBe('auto_approved')
  })

  it('answers 404 for approving an unknown intent and 400 for a bad body', async () => {
    expect(
      (await postJson(`${sandbox.url}/__admin/payment-intents/nope/approve`, {}, adminHeaders(sandbox)))
        .status,
    ).toBe(404)
    expect(
      (await postJson(`${sandbox.url}/__admin/token-lifetime`, { seconds: -1 }, adminHeaders(sandbox)))
        .status,
    ).toBe(400)
    expect(
      (await postJson(`${sandbox.url}/__admin/nonce`, { enabled: 'yes' }, adminHeaders(sandbox))).status,
    ).toBe(400)
  })

  it('sets the token lifetime and revokes tokens', async () => {
    expect(
      (await postJson(`${sandbox.url}/__admin/token-lifetime`, { seconds: 90 }, adminHeaders(sandbox)))
        .status,
    ).toBe(200)
    const fresh = await credential.mintToken()
    expect(fresh.expires_in).toBe(90)
    expect((await postJson(`${sandbox.url}/__admin/revoke-tokens`, {}, adminHeaders(sandbox))).status).toBe(
      204,
    )
    const response = await credential.resource('GET', '/api/agents', { token: fresh.access_token })
    expect(response.status).toBe(401)
  })

  it('moves the server clock, which shows in the Date header', async () => {
    expect(
      (await postJson(`${sandbox.url}/__admin/clock`, { offsetMs: 3_600_000 }, adminHeaders(sandbox))).status,
    ).toBe(200)
    try {
      const response = await fetch(`${sandbox.url}/api/agents`)
      expect(Date.parse(response.headers.get('date') ?? '') - Date.now()).toBeGreaterThan(3_500_000)
    } finally {
      sandbox.setClockOffset(0)
    }
  })

  it('never lets an unexpected input crash the server', async () => {
    const odd = await fetch(`${sandbox.url}/api/credential-bindings/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'null',
    })
    expect(odd.status).toBe(422)
    const unknown = await fetch(`${sandbox.url}/api/nothing-here`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ detail: 'Not Found' })
  })
})
