import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import { adminHeaders, generateKeyMaterial, postJson } from './ralio-test-client.js'

let sandbox: RalioSandbox
let registrationUrl: string

beforeAll(async () => {
  sandbox = await startRalioSandbox()
  registrationUrl = `${sandbox.url}/api/credential-bindings/registrations`
})
afterAll(() => sandbox.close())

interface RegistrationBody {
  client_id?: string
  fingerprint?: string
  poll_token?: string
  detail: { error: string; error_description: string; used_at?: string; used_by_host?: string }
}

async function register(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await postJson(registrationUrl, body, headers)
  return { status: response.status, body: (await response.json()) as RegistrationBody }
}

async function freshRequest(extra: Record<string, unknown> = {}) {
  const key = await generateKeyMaterial()
  return { key, body: { ticket: sandbox.mintTicket().ticket, public_key_jwk: key.publicJwk, ...extra } }
}

describe('registration', () => {
  it('activates a binding at once and returns the client_id and the key thumbprint', async () => {
    const { key, body } = await freshRequest({ requested_scopes: ['agents:execute'] })
    const result = await register(body)
    expect(result.status).toBe(201)
    expect(result.body.client_id).toMatch(/^cb_/)
    expect(result.body.fingerprint).toBe(key.thumbprint)
    expect(sandbox.stats().registrations).toBeGreaterThan(0)
  })

  it('refuses a ticket used twice with 409 ticket_already_consumed, saying when and by which host', async () => {
    const { body } = await freshRequest({ client_metadata: { hostname: 'build-box-1' } })
    expect((await register(body)).status).toBe(201)
    const again = await register({ ...body, public_key_jwk: (await generateKeyMaterial()).publicJwk })
    expect(again.status).toBe(409)
    expect(again.body.detail.error).toBe('ticket_already_consumed')
    expect(again.body.detail.used_by_host).toBe('build-box-1')
    expect(Date.parse(again.body.detail.used_at ?? '')).not.toBeNaN()
  })

  it('names the User-Agent as the host when client_metadata has no hostname', async () => {
    const { body } = await freshRequest()
    await register(body, { 'user-agent': 'ralio-test/1.0' })
    const again = await register({ ...body, public_key_jwk: (await generateKeyMaterial()).publicJwk })
    expect(again.body.detail.used_by_host).toBe('ralio-test/1.0')
  })

  it('refuses an expired ticket with 410 ticket_expired', async () => {
    const key = await generateKeyMaterial()
    const { ticket } = sandbox.mintTicket({ ttlMs: 1000 })
    sandbox.setClockOffset(2000)
    try {
      const result = await register({ ticket, public_key_jwk: key.publicJwk })
      expect(result.status).toBe(410)
      expect(result.body.detail.error).toBe('ticket_expired')
    } finally {
      sandbox.setClockOffset(0)
    }
  })

  it('refuses an unknown ticket with 404 invalid_ticket', async () => {
    const key = await generateKeyMaterial()
    const result = await register({ ticket: 'ralio-reg-doesnotexist', public_key_jwk: key.publicJwk })
    expect(result.status).toBe(404)
    expect(result.body.detail.error).toBe('invalid_ticket')
  })

  it('refuses scopes beyond the ticket ceiling with 422 scope_exceeds_ticket_ceiling', async () => {
    const key = await generateKeyMaterial()
    const { ticket } = sandbox.mintTicket({ scopeCeiling: ['transactions:read'] })
    const result = await register({
      ticket,
      public_key_jwk: key.publicJwk,
      requested_scopes: ['agents:execute'],
    })
    expect(result.status).toBe(422)
    expect(result.body.detail.error).toBe('scope_exceeds_ticket_ceiling')
  })

  it('never grants agents:config (422 invalid_scope)', async () => {
    const { body } = await freshRequest({ requested_scopes: ['agents:config'] })
    const result = await register(body)
    expect(result.status).toBe(422)
    expect(result.body.detail.error).toBe('invalid_scope')
  })

  it('never grants audits:read: not in a ticket, not in a binding (422 invalid_scope)', async () => {
    expect(() => sandbox.mintTicket({ scopeCeiling: ['audits:read'] as never })).toThrow(/audits:read/)
    const { body } = await freshRequest({ requested_scopes: ['agents:execute', 'audits:read'] })
    expect((await register(body)).body.detail.error).toBe('invalid_scope')
  })

  it('refuses unknown scopes with 422 invalid_scope', async () => {
    const { body } = await freshRequest({ requested_scopes: ['payments:write'] })
    expect((await register(body)).body.detail.error).toBe('invalid_scope')
  })

  it('refuses a JWK with its private member d (422 invalid_public_key)', async () => {
    const key = await generateKeyMaterial()
    const result = await register({ ticket: sandbox.mintTicket().ticket, public_key_jwk: key.privateJwk })
    expect(result.status).toBe(422)
    expect(result.body.detail.error).toBe('invalid_public_key')
    expect(result.body.detail.error_description).toContain('private')
  })

  it('refuses keys that are not P-256 public keys (422 invalid_public_key)', async () => {
    const key = await generateKeyMaterial()
    const bad = [
      { ...key.publicJwk, crv: 'P-384' },
      { kty: 'RSA', n: 'abc', e: 'AQAB' },
      { ...key.publicJwk, x: 'short' },
      { ...key.publicJwk, y: key.publicJwk.x },
      'not a key',
    ]
    for (const jwk of bad) {
      const result = await register({ ticket: sandbox.mintTicket().ticket, public_key_jwk: jwk })
      expect(result.status).toBe(422)
      expect(result.body.detail.error).toBe('invalid_public_key')
    }
  })

  it('refuses a key already bound to another credential with 409 public_key_already_in_use', async () => {
    const { key, body } = await freshRequest()
    expect((await register(body)).status).toBe(201)
    const again = await register({ ticket: sandbox.mintTicket().ticket, public_key_jwk: key.publicJwk })
    expect(again.status).toBe(409)
    expect(again.body.detail.error).toBe('public_key_already_in_use')
  })

  it('answers malformed bodies with 422 and keeps the ticket usable', async () => {
    const { body } = await freshRequest()
    const notJson = await postJson(registrationUrl, '{not json')
    expect(notJson.status).toBe(422)
    expect(((await notJson.json()) as RegistrationBody).detail.error).toBe('invalid_request')
    const noTicket = await register({ public_key_jwk: body.public_key_jwk })
    expect(noTicket.status).toBe(422)
    const noKey = await register({ ticket: body.ticket })
    expect(noKey.body.detail.error).toBe('invalid_public_key')
    expect((await register(body)).status).toBe(201)
  })

  it('can answer like an old server that waits for approval (202 poll_token, no client_id)', async () => {
    sandbox.setRegistrationBehavior({ mode: 'pending-approval' })
    try {
      const { body } = await freshRequest()
      const result = await register(body)
      expect(result.status).toBe(202)
      expect(result.body.poll_token).toEqual(expect.any(String))
      expect(result.body.client_id).toBeUndefined()
    } finally {
      sandbox.setRegistrationBehavior({ mode: 'active' })
    }
  })

  it('can return a fingerprint that does not match the key', async () => {
    sandbox.setRegistrationBehavior({ fingerprint: 'wrong' })
    try {
      const { key, body } = await freshRequest()
      const result = await register(body)
      expect(result.status).toBe(201)
      expect(result.body.fingerprint).not.toBe(key.thumbprint)
    } finally {
      sandbox.setRegistrationBehavior({ fingerprint: 'correct' })
    }
  })

  it('mints tickets through the admin API', async () => {
    const response = await postJson(
      `${sandbox.url}/__admin/tickets`,
      {
        scope_ceiling: ['transactions:read'],
      },
      adminHeaders(sandbox),
    )
    expect(response.status).toBe(201)
    const { ticket, expires_at: expiresAt } = (await response.json()) as {
      ticket: string
      expires_at: string
    }
    expect(ticket).toMatch(/^ralio-reg-/)
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(14 * 60 * 1000)
    const key = await generateKeyMaterial()
    const result = await register({
      ticket,
      public_key_jwk: key.publicJwk,
      requested_scopes: ['agents:execute'],
    })
    expect(result.body.detail.error).toBe('scope_exceeds_ticket_ceiling')
  })
})
