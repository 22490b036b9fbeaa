import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createClientAssertion } from '../src/auth/client-assertion.js'
import { createDpopProofFactory, normalizeHtu } from '../src/auth/dpop-proof.js'
import { DpopSession } from '../src/auth/dpop-session.js'
import { generateSigningKey } from '../src/auth/signing-key.js'
import { RalioClockSkewError } from '../src/errors.js'

const sha256 = async (text: string) =>
  Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('base64url')

describe('DPoP proofs', () => {
  it('carries the RFC 9449 header and claims and verifies with the public key', async () => {
    const { key } = await generateSigningKey()
    const proof = await createDpopProofFactory(key)({
      method: 'post',
      url: 'https://API.ralio.co:443/api/chat?x=1#frag',
      accessToken: 'token-1',
      nonce: 'n-1',
      nowSeconds: 1_700_000_000,
    })
    expect(decodeProtectedHeader(proof)).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk })
    const claims = decodeJwt(proof)
    expect(claims).toEqual({
      htm: 'POST',
      htu: 'https://api.ralio.co/api/chat',
      iat: 1_700_000_000,
      jti: expect.stringMatching(/^[\w-]{22}$/),
      ath: await sha256('token-1'),
      nonce: 'n-1',
    })
    await expect(compactVerify(proof, await importJWK(key.publicJwk, 'ES256'))).resolves.toBeDefined()
  })

  it('uses a fresh jti for every proof and omits ath and nonce when absent', async () => {
    const { key } = await generateSigningKey()
    const prove = createDpopProofFactory(key)
    const input = { method: 'GET', url: 'http://127.0.0.1:8080/api/agents', nowSeconds: 1 }
    const [first, second] = [decodeJwt(await prove(input)), decodeJwt(await prove(input))]
    expect(first.jti).not.toBe(second.jti)
    expect(first).not.toHaveProperty('ath')
    expect(first).not.toHaveProperty('nonce')
  })

  it('recomputes ath when the access token changes', async () => {
    const { key } = await generateSigningKey()
    const prove = createDpopProofFactory(key)
    const base = { method: 'GET', url: 'https://api.ralio.co/x', nowSeconds: 1 }
    const a = decodeJwt(await prove({ ...base, accessToken: 'a' }))
    const b = decodeJwt(await prove({ ...base, accessToken: 'b' }))
    expect(a.ath).toBe(await sha256('a'))
    expect(b.ath).toBe(await sha256('b'))
  })

  it('normalises htu to scheme, host and path', () => {
    expect(normalizeHtu('HTTPS://Example.COM:443/a/b?q=1#f')).toBe('https://example.com/a/b')
    expect(normalizeHtu('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/')
  })
})

describe('client assertion', () => {
  it('is an ES256 JWT with kid = jkt, iss = sub = client id, aud = token URL and a 60 s life', async () => {
    const { key } = await generateSigningKey()
    const assertion = await createClientAssertion(key, {
      clientId: 'cb_1',
      audience: 'https://api.ralio.co/oauth/token',
      nowSeconds: 1000,
    })
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'ES256', kid: key.jkt })
    const claims = decodeJwt(assertion)
    expect(claims).toMatchObject({
      iss: 'cb_1',
      sub: 'cb_1',
      aud: 'https://api.ralio.co/oauth/token',
      iat: 1000,
      exp: 1060,
    })
    expect(Buffer.from(claims.jti!, 'base64url')).toHaveLength(16)
    await expect(compactVerify(assertion, await importJWK(key.publicJwk, 'ES256'))).resolves.toBeDefined()
  })
})

describe('DPoP session', () => {
  const response = (headers: Record<string, string>) => new Response(null, { headers })

  it('keeps one nonce per origin and reports only fresh ones', () => {
    const session = new DpopSession()
    const a = new URL('https://a.example/x')
    const b = new URL('https://b.example/x')
    expect(session.rememberNonce(a, response({ 'DPoP-Nonce': 'n1' }))).toBe(true)
    expect(session.rememberNonce(a, response({ 'DPoP-Nonce': 'n1' }))).toBe(false)
    expect(session.rememberNonce(a, response({}))).toBe(false)
    expect(session.nonceFor(new URL('https://a.example/other'))).toBe('n1')
    expect(session.nonceFor(b)).toBeUndefined()
  })

  it('adopts the server clock from a Date header once, and not when it already agrees', () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const session = new DpopSession(() => now)
    expect(session.correctClock('Thu, 01 Jan 2026 00:10:00 GMT')).toBe(true)
    expect(session.nowSeconds()).toBe(Date.parse('2026-01-01T00:10:00Z') / 1000)
    now += 5_000
    expect(session.correctClock('Thu, 01 Jan 2026 00:10:05 GMT')).toBe(false)
    expect(session.correctClock('not a date')).toBe(false)
    expect(session.correctClock(undefined)).toBe(false)
  })

  it.each([
    ['a quoted string', '"n1"'],
    ['a backslash', 'n\\1'],
    ['a space', 'n 1'],
    ['a non-ASCII character', 'nönce'],
    ['an empty value', ''],
    ['over 512 characters', 'n'.repeat(513)],
  ])('ignores a DPoP-Nonce that is %s', (_what, nonce) => {
    const session = new DpopSession()
    const url = new URL('https://a.example/x')
    session.rememberNonce(url, response({ 'DPoP-Nonce': 'good-nonce' }))
    const headers = new Headers()
    try {
      headers.set('DPoP-Nonce', nonce)
    } catch {
      return // a value Headers itself refuses never reaches the session
    }
    expect(session.rememberNonce(url, new Response(null, { headers }))).toBe(false)
    expect(session.nonceFor(url)).toBe('good-nonce')
  })

  it('accepts a nonce of every NQCHAR up to 512 characters', () => {
    const session = new DpopSession()
    const url = new URL('https://a.example/x')
    const nonce = `!#[]~${'a'.repeat(507)}`
    expect(session.rememberNonce(url, response({ 'DPoP-Nonce': nonce }))).toBe(true)
    expect(session.nonceFor(url)).toBe(nonce)
  })

  it('refuses to adopt a server clock beyond 15 minutes, naming the skew', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    const session = new DpopSession(() => now)
    const error = (() => {
      try {
        session.correctClock('Fri, 01 Jan 2100 00:00:00 GMT')
      } catch (caught) {
        return caught
      }
    })()
    expect(RalioClockSkewError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'clock_skew', skewMs: expect.any(Number) })
    expect((error as Error).message).toMatch(/74 years ahead of this machine's/)
    expect(session.nowSeconds()).toBe(now / 1000)
    expect(session.correctClock('Thu, 01 Jan 2026 00:14:00 GMT')).toBe(true)
  })
})
