import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import {
  generateKeyMaterial,
  nowSeconds,
  TestCredential,
  type TokenResponseBody,
} from './ralio-test-client.js'

interface OAuthErrorBody {
  error: string
  error_description?: string
}

let sandbox: RalioSandbox
let credential: TestCredential

beforeAll(async () => {
  sandbox = await startRalioSandbox()
  credential = await TestCredential.register(sandbox, { scopes: ['agents:execute', 'transactions:read'] })
})
afterAll(() => sandbox.close())

async function expectOAuthError(response: Response, status: number, error: string): Promise<OAuthErrorBody> {
  const body = (await response.json()) as OAuthErrorBody
  expect({ status: response.status, error: body.error }).toEqual({ status, error })
  return body
}

describe('client_credentials with private_key_jwt', () => {
  it('issues a DPoP token carrying the binding’s full grant when no scope is asked for', async () => {
    const response = await credential.clientCredentialsRequest()
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = (await response.json()) as TokenResponseBody
    expect(body).toMatchObject({
      token_type: 'DPoP',
      expires_in: 1800,
      scope: 'agents:execute transactions:read',
    })
    expect(body.access_token).toEqual(expect.any(String))
    expect(body.refresh_token).toEqual(expect.any(String))
  })

  it('narrows the token to a requested subset of scopes', async () => {
    const body = await credential.mintToken({ scope: 'transactions:read' })
    expect(body.scope).toBe('transactions:read')
  })

  it('refuses a scope beyond the binding’s grant with invalid_scope', async () => {
    const response = await credential.clientCredentialsRequest({
      params: { scope: 'agents:execute audits:read' },
    })
    await expectOAuthError(response, 400, 'invalid_scope')
  })

  it('refuses an assertion signed by another key', async () => {
    const other = await generateKeyMaterial()
    const response = await credential.clientCredentialsRequest({
      assertion: { signingKey: other.privateKey },
    })
    const body = await expectOAuthError(response, 401, 'invalid_client')
    expect(body.error_description).toContain('signature')
  })

  it('refuses an assertion whose aud is not the token URL', async () => {
    const response = await credential.clientCredentialsRequest({
      assertion: { claims: { aud: credential.sandbox.url } },
    })
    const body = await expectOAuthError(response, 401, 'invalid_client')
    expect(body.error_description).toContain('aud')
  })

  it('refuses an expired assertion', async () => {
    const iat = nowSeconds() - 120
    const response = await credential.clientCredentialsRequest({
      assertion: { claims: { iat, exp: iat + 60 } },
    })
    const body = await expectOAuthError(response, 401, 'invalid_client')
    expect(body.error_description).toContain('expired')
  })

  it('refuses an assertion issued more than 300 s ago even if it has not expired', async () => {
    const iat = nowSeconds() - 301
    const response = await credential.clientCredentialsRequest({
      assertion: { claims: { iat, exp: iat + 3600 } },
    })
    const body = await expectOAuthError(response, 401, 'invalid_client')
    expect(body.error_description).toContain('too old')
  })

  it('refuses a replayed assertion jti', async () => {
    const assertion = await credential.assertion()
    const params = {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }
    expect((await credential.tokenRequest(params)).status).toBe(200)
    const body = await expectOAuthError(await credential.tokenRequest(params), 401, 'invalid_client')
    expect(body.error_description).toContain('jti')
  })

  it('refuses an unknown client', async () => {
    const response = await credential.clientCredentialsRequest({
      assertion: { claims: { iss: 'cb_unknown', sub: 'cb_unknown' } },
    })
    const body = await expectOAuthError(response, 401, 'invalid_client')
    expect(body.error_description).toContain('unknown client')
  })

  it('refuses iss different from sub', async () => {
    const response = await credential.clientCredentialsRequest({
      assertion: { claims: { iss: 'someone-else' } },
    })
    await expectOAuthError(response, 401, 'invalid_client')
  })

  it('refuses an assertion that is not ES256', async () => {
    const assertion = await new SignJWT({ iss: credential.clientId, sub: credential.clientId })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new Uint8Array(32))
    const response = await credential.tokenRequest({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    })
    await expectOAuthError(response, 401, 'invalid_client')
  })

  it('judges assertion age by the server clock', async () => {
    sandbox.setClockOffset(400_000)
    try {
      await expectOAuthError(await credential.clientCredentialsRequest(), 401, 'invalid_client')
      credential.clockOffsetMs = 400_000
      expect((await credential.clientCredentialsRequest()).status).toBe(200)
    } finally {
      sandbox.setClockOffset(0)
      credential.clockOffsetMs = 0
    }
  })

  it('answers malformed requests with the OAuth error codes', async () => {
    await expectOAuthError(await credential.tokenRequest({}), 400, 'invalid_request')
    await expectOAuthError(
      await credential.tokenRequest({ grant_type: 'password' }),
      400,
      'unsupported_grant_type',
    )
    await expectOAuthError(
      await credential.tokenRequest({ grant_type: 'client_credentials' }),
      401,
      'invalid_client',
    )
    const json = await fetch(credential.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    })
    await expectOAuthError(json, 400, 'invalid_request')
  })

  it('follows setTokenLifetime for expires_in', async () => {
    sandbox.setTokenLifetime(60)
    try {
      expect((await credential.mintToken()).expires_in).toBe(60)
    } finally {
      sandbox.setTokenLifetime(1800)
    }
  })
})

describe('DPoP at the token endpoint', () => {
  it('accepts a valid proof signed by the registered key', async () => {
    const proof = await credential.proof('POST', credential.tokenUrl)
    expect((await credential.clientCredentialsRequest({ headers: { dpop: proof } })).status).toBe(200)
  })

  it('refuses a proof signed by a different key than the registered one', async () => {
    const other = await generateKeyMaterial()
    const proof = await credential.proof('POST', credential.tokenUrl, undefined, {
      header: { jwk: other.publicJwk },
      signingKey: other.privateKey,
    })
    const body = await expectOAuthError(
      await credential.clientCredentialsRequest({ headers: { dpop: proof } }),
      400,
      'invalid_dpop_proof',
    )
    expect(body.error_description).toContain('registered')
  })

  it('refuses a proof for another URL', async () => {
    const proof = await credential.proof('POST', `${credential.sandbox.url}/token`)
    await expectOAuthError(
      await credential.clientCredentialsRequest({ headers: { dpop: proof } }),
      400,
      'invalid_dpop_proof',
    )
  })

  it('challenges with use_dpop_nonce and a DPoP-Nonce header in nonce mode, then accepts the nonce', async () => {
    sandbox.setNonceMode({ enabled: true })
    try {
      const first = await credential.clientCredentialsRequest({
        headers: { dpop: await credential.proof('POST', credential.tokenUrl) },
      })
      await expectOAuthError(first, 400, 'use_dpop_nonce')
      const nonce = first.headers.get('dpop-nonce')
      expect(nonce).toEqual(expect.any(String))
      const second = await credential.clientCredentialsRequest({
        headers: {
          dpop: await credential.proof('POST', credential.tokenUrl, undefined, { claims: { nonce } }),
        },
      })
      expect(second.status).toBe(200)
    } finally {
      sandbox.setNonceMode({ enabled: false })
    }
  })
})

describe('refresh tokens', () => {
  const refresh = (refreshToken: string, clientId = credential.clientId) =>
    credential.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId })

  it('rotates on every use and keeps the scope', async () => {
    const first = await credential.mintToken({ scope: 'transactions:read' })
    const response = await refresh(first.refresh_token)
    expect(response.status).toBe(200)
    const second = (await response.json()) as TokenResponseBody
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect(second.access_token).not.toBe(first.access_token)
    expect(second.scope).toBe('transactions:read')
    expect((await refresh(second.refresh_token)).status).toBe(200)
  })

  it('revokes the whole family when a rotated refresh token is presented again', async () => {
    const before = sandbox.stats().familyRevocations
    const first = await credential.mintToken()
    const second = (await (await refresh(first.refresh_token)).json()) as TokenResponseBody
    const third = (await (await refresh(second.refresh_token)).json()) as TokenResponseBody

    await expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant')
    expect(sandbox.stats().familyRevocations).toBe(before + 1)
    // The newest refresh token and every access token of the family are dead too.
    await expectOAuthError(await refresh(third.refresh_token), 400, 'invalid_grant')
    for (const token of [second.access_token, third.access_token]) {
      const response = await credential.resource('GET', '/api/agents', { token })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
    }
    // Another family of the same client is untouched.
    const other = await credential.mintToken()
    expect((await credential.resource('GET', '/api/agents', { token: other.access_token })).status).toBe(200)
  })

  it('refuses a refresh token presented with another client_id', async () => {
    const someoneElse = await TestCredential.register(sandbox)
    const first = await credential.mintToken()
    await expectOAuthError(await refresh(first.refresh_token, someoneElse.clientId), 400, 'invalid_grant')
  })

  it('refuses unknown refresh tokens and missing parameters', async () => {
    await expectOAuthError(await refresh('ralio_rt_nope'), 400, 'invalid_grant')
    await expectOAuthError(
      await credential.tokenRequest({ grant_type: 'refresh_token' }),
      400,
      'invalid_request',
    )
  })

  it('counts token requests and refreshes', async () => {
    const before = sandbox.stats()
    const first = await credential.mintToken()
    await refresh(first.refresh_token)
    const after = sandbox.stats()
    expect(after.tokenRequests - before.tokenRequests).toBe(2)
    expect(after.refreshes - before.refreshes).toBe(1)
  })

  it('revokeTokens ends every token of a client', async () => {
    const tokens = await credential.mintToken()
    sandbox.revokeTokens(credential.clientId)
    const response = await credential.resource('GET', '/api/agents', { token: tokens.access_token })
    expect(response.status).toBe(401)
    await expectOAuthError(await refresh(tokens.refresh_token), 400, 'invalid_grant')
  })
})
