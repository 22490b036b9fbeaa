import { afterEach, describe, expect, it } from 'vitest'
import { APIError } from '../src/index.js'
import { createTransport, parseWwwAuthenticate, primaryChallenge } from '../src/internal/index.js'
import { type LocalServer, sendJson, startServer } from './support/local-server.js'

describe('parseWwwAuthenticate', () => {
  it('parses a DPoP challenge with quoted and bare parameters', () => {
    expect(
      parseWwwAuthenticate(
        'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce", algs=ES256',
      ),
    ).toEqual([
      {
        scheme: 'DPoP',
        params: {
          error: 'use_dpop_nonce',
          error_description: 'Resource server requires nonce',
          algs: 'ES256',
        },
      },
    ])
  })

  it('separates several challenges and unescapes quoted values', () => {
    expect(parseWwwAuthenticate('Basic realm="a \\"b\\"", Bearer realm=api, error="invalid_token"')).toEqual([
      { scheme: 'Basic', params: { realm: 'a "b"' } },
      { scheme: 'Bearer', params: { realm: 'api', error: 'invalid_token' } },
    ])
  })

  it('keeps a token68 and a bare scheme', () => {
    expect(parseWwwAuthenticate('Negotiate abc123, Basic')).toEqual([
      { scheme: 'Negotiate', params: { token68: 'abc123' } },
      { scheme: 'Basic', params: {} },
    ])
  })

  it('redacts secret-named parameters and credential-shaped values', () => {
    const [challenge] = parseWwwAuthenticate(
      'Bearer access_token="sk_live_123456", realm="Bearer abc123def456"',
    )
    expect(challenge!.params).toEqual({ access_token: '[redacted]', realm: 'Bearer [redacted]' })
  })

  it('stops at garbage and bounds what it keeps', () => {
    expect(parseWwwAuthenticate('"oops"')).toEqual([])
    expect(parseWwwAuthenticate(null)).toEqual([])
    expect(
      parseWwwAuthenticate(Array.from({ length: 50 }, (_, index) => `S${index}`).join(', ')),
    ).toHaveLength(8)
  })

  it('picks the challenge that carries the error', () => {
    expect(primaryChallenge('Basic realm="x", DPoP error="invalid_dpop_proof"')).toEqual({
      scheme: 'DPoP',
      params: { error: 'invalid_dpop_proof' },
    })
  })
})

describe('API errors carry detail and wwwAuthenticate', () => {
  let server: LocalServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const failWith = async (respond: Parameters<typeof startServer>[0]) => {
    server = await startServer(respond)
    const outcome = await createTransport({ baseUrl: server.url, userAgent: 'test/1.0.0', maxRetries: 0 })
      .request({ method: 'GET', path: '/thing' })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    return outcome as APIError
  }

  it('a FastAPI detail string and a DPoP challenge', async () => {
    const error = await failWith((_request, response) =>
      sendJson(
        response,
        401,
        { detail: 'DPoP proof iat out of range' },
        {
          'www-authenticate': 'DPoP error="invalid_dpop_proof", algs="ES256"',
        },
      ),
    )
    expect(APIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      detail: 'DPoP proof iat out of range',
      wwwAuthenticate: { scheme: 'DPoP', params: { error: 'invalid_dpop_proof', algs: 'ES256' } },
    })
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ detail: 'DPoP proof iat out of range' })
  })

  it('a structured detail as JSON, an OAuth description, a text body', async () => {
    const structured = await failWith((_request, response) =>
      sendJson(response, 422, { detail: [{ loc: ['body', 'amount'], msg: 'Field required' }] }),
    )
    expect(structured.detail).toBe('[{"loc":["body","amount"],"msg":"Field required"}]')
    await server?.close()
    const oauth = await failWith((_request, response) =>
      sendJson(response, 400, { error: 'invalid_grant', error_description: 'refresh token revoked' }),
    )
    expect(oauth).toMatchObject({ detail: 'refresh token revoked', wwwAuthenticate: undefined })
    await server?.close()
    const text = await failWith((_request, response) => {
      response.writeHead(503, { 'content-type': 'text/plain' })
      response.end('upstream down')
    })
    expect(text.detail).toBe('upstream down')
  })
})
