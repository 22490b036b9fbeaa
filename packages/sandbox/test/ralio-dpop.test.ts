import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import {
  adminHeaders,
  challengeOf,
  generateKeyMaterial,
  nowSeconds,
  TestCredential,
} from './ralio-test-client.js'

let sandbox: RalioSandbox
let credential: TestCredential
let token: string

beforeAll(async () => {
  sandbox = await startRalioSandbox()
  credential = await TestCredential.register(sandbox, { scopes: ['agents:execute'] })
  token = (await credential.mintToken()).access_token
})
afterEach(() => {
  sandbox.setClockOffset(0)
  sandbox.setNonceMode({ enabled: false })
  credential.clockOffsetMs = 0
})
afterAll(() => sandbox.close())

const agents = (options: Parameters<TestCredential['resource']>[2]) =>
  credential.resource('GET', '/api/agents', options)

async function expectChallenge(response: Response, error: string, descriptionPart: string): Promise<void> {
  expect(response.status).toBe(401)
  const challenge = challengeOf(response)
  expect(challenge).toMatch(/^DPoP /)
  expect(challenge).toContain(`error="${error}"`)
  expect(challenge).toContain(descriptionPart)
}

describe('DPoP-protected resources', () => {
  it('serves a request with a valid token and proof, with a Date header', async () => {
    const response = await agents({ token })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { id: string; name: string }[]
    expect(body).toHaveLength(1)
    expect(body[0]?.id).toBe(sandbox.agents[0]?.id)
    expect(response.headers.get('date')).toEqual(expect.any(String))
  })

  it('rejects a proof whose typ is not dpop+jwt', async () => {
    await expectChallenge(
      await agents({ token, proof: { header: { typ: 'JWT' } } }),
      'invalid_dpop_proof',
      'typ',
    )
  })

  it('rejects a proof not signed with ES256', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true })
    const proof = { header: { alg: 'ES384', jwk: await exportJWK(publicKey) }, signingKey: privateKey }
    await expectChallenge(await agents({ token, proof }), 'invalid_dpop_proof', 'ES256')
  })

  it('rejects a proof whose jwk includes the private key', async () => {
    await expectChallenge(
      await agents({ token, proof: { header: { jwk: credential.key.privateJwk } } }),
      'invalid_dpop_proof',
      'private',
    )
  })

  it('rejects a proof whose signature does not verify against its jwk', async () => {
    const other = await generateKeyMaterial()
    await expectChallenge(
      await agents({ token, proof: { signingKey: other.privateKey } }),
      'invalid_dpop_proof',
      'signature',
    )
  })

  it('rejects a proof for another method (htm)', async () => {
    await expectChallenge(
      await agents({ token, proof: { claims: { htm: 'POST' } } }),
      'invalid_dpop_proof',
      'htm',
    )
  })

  it('rejects a proof for another URL (htu)', async () => {
    const proof = { claims: { htu: `${sandbox.url}/api/transactions` } }
    await expectChallenge(await agents({ token, proof }), 'invalid_dpop_proof', 'htu')
  })

  it('compares htu after normalisation: case, default port, query and fragment do not matter', async () => {
    const url = new URL(`${sandbox.url}/api/agents`)
    const htu = `HTTP://${url.host.toUpperCase()}/api/agents?ignored=1#fragment`
    expect((await agents({ token, proof: { claims: { htu } } })).status).toBe(200)
  })

  it('rejects a proof issued more than 60 s in the future', async () => {
    const proof = { claims: { iat: nowSeconds() + 90 } }
    await expectChallenge(await agents({ token, proof }), 'invalid_dpop_proof', 'future')
  })

  it('rejects a proof issued more than 60 s in the past', async () => {
    const proof = { claims: { iat: nowSeconds() - 90 } }
    await expectChallenge(await agents({ token, proof }), 'invalid_dpop_proof', 'past')
  })

  it('rejects a replayed proof (jti)', async () => {
    const url = `${sandbox.url}/api/agents`
    const proof = await credential.proof('GET', url, token)
    const send = () => fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } })
    expect((await send()).status).toBe(200)
    await expectChallenge(await send(), 'invalid_dpop_proof', 'jti')
  })

  it('rejects a proof whose ath is not the hash of the token', async () => {
    await expectChallenge(
      await agents({ token, proof: { athToken: 'another-token' } }),
      'invalid_dpop_proof',
      'ath',
    )
    await expectChallenge(await agents({ token, proof: { omit: ['ath'] } }), 'invalid_dpop_proof', 'ath')
  })

  it('rejects a proof signed by a key other than the token’s cnf.jkt', async () => {
    const other = await generateKeyMaterial()
    const proof = { header: { jwk: other.publicJwk }, signingKey: other.privateKey }
    await expectChallenge(await agents({ token, proof }), 'invalid_dpop_proof', 'cnf.jkt')
  })

  it('rejects a request without a proof', async () => {
    await expectChallenge(await agents({ token, proof: false }), 'invalid_dpop_proof', 'no DPoP proof')
  })

  it('rejects the token sent with the Bearer scheme', async () => {
    const response = await credential.resource('GET', '/api/agents', {
      token,
      headers: { authorization: `Bearer ${token}` },
    })
    await expectChallenge(response, 'invalid_token', 'Bearer')
  })

  it('rejects a request without credentials with a bare challenge', async () => {
    const response = await fetch(`${sandbox.url}/api/agents`)
    expect(response.status).toBe(401)
    expect(challengeOf(response)).toBe('DPoP algs="ES256"')
  })

  it('rejects unknown and expired tokens with invalid_token', async () => {
    await expectChallenge(await agents({ token: 'ralio_at_unknown' }), 'invalid_token', 'not recognised')
    sandbox.setTokenLifetime(30)
    const shortLived = (await credential.mintToken()).access_token
    sandbox.setTokenLifetime(1800)
    sandbox.setClockOffset(31_000)
    credential.clockOffsetMs = 31_000
    await expectChallenge(await agents({ token: shortLived }), 'invalid_token', 'expired')
  })

  it('answers 403 insufficient_scope for a route the token’s scope does not cover', async () => {
    const response = await credential.resource('GET', '/api/transactions', { token })
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ detail: 'insufficient_scope' })
  })

  it('checks iat against the server clock, whose offset shows in the Date header', async () => {
    sandbox.setClockOffset(120_000)
    const skewed = await agents({ token })
    await expectChallenge(skewed, 'invalid_dpop_proof', 'iat')
    const serverTime = Date.parse(skewed.headers.get('date') ?? '')
    expect(serverTime - Date.now()).toBeGreaterThan(100_000)
    credential.clockOffsetMs = serverTime - Date.now()
    expect((await agents({ token })).status).toBe(200)
  })
})

describe('DPoP nonces at resources', () => {
  it('challenges with use_dpop_nonce and a DPoP-Nonce header, then accepts a proof with the nonce', async () => {
    sandbox.setNonceMode({ enabled: true })
    const challenged = await agents({ token })
    await expectChallenge(challenged, 'use_dpop_nonce', 'nonce')
    const nonce = challenged.headers.get('dpop-nonce')
    expect(nonce).toEqual(expect.any(String))
    const accepted = await agents({ token, proof: { claims: { nonce } } })
    expect(accepted.status).toBe(200)
    expect(accepted.headers.get('dpop-nonce')).toBeNull()
  })

  it('accepts the previous nonce after a rotation and hands out the new one; older ones are refused', async () => {
    sandbox.setNonceMode({ enabled: true, rotateEveryMs: 10_000 })
    const first = (await agents({ token })).headers.get('dpop-nonce')
    sandbox.setClockOffset(11_000)
    credential.clockOffsetMs = 11_000
    const afterRotation = await agents({ token, proof: { claims: { nonce: first } } })
    expect(afterRotation.status).toBe(200)
    const second = afterRotation.headers.get('dpop-nonce')
    expect(second).toEqual(expect.any(String))
    expect(second).not.toBe(first)

    sandbox.setClockOffset(22_000)
    credential.clockOffsetMs = 22_000
    expect((await agents({ token, proof: { claims: { nonce: second } } })).status).toBe(200)
    sandbox.setClockOffset(33_000)
    credential.clockOffsetMs = 33_000
    await expectChallenge(
      await agents({ token, proof: { claims: { nonce: first } } }),
      'use_dpop_nonce',
      'stale',
    )
  })

  it('can be switched on through the admin API', async () => {
    const response = await fetch(`${sandbox.url}/__admin/nonce`, {
      method: 'POST',
      headers: { ...adminHeaders(sandbox), 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, rotate_every_ms: 60_000 }),
    })
    expect(response.status).toBe(200)
    await expectChallenge(await agents({ token }), 'use_dpop_nonce', 'nonce')
  })
})
