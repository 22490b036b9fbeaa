import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { SdkError } from '../src/index.js'
import {
  createTransport,
  defaultErrorMap,
  inspectable,
  type Logger,
  readSse,
  redact,
  redactHeaders,
  redactText,
  redactUrl,
  type TransportOptions,
} from '../src/internal/index.js'
import { type LocalServer, refusedUrl, startServer } from './support/local-server.js'
import { hang, scriptedFetch } from './support/scripted-fetch.js'

const TOKEN = 'sk_live_Zq81verysecretvalue'
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ18xIn0.c2lnbmF0dXJlLXBhcnQ'

describe('redactHeaders', () => {
  it.each([
    'Authorization',
    'Proxy-Authorization',
    'DPoP',
    'Cookie',
    'Set-Cookie',
    'X-Api-Key',
    'X-Auth-Token',
    'X-Amz-Security-Token',
    'X-Client-Secret',
    'X-Refresh-Token',
    'X-Password',
    'Client-Assertion',
    'Api-Key',
  ])('redacts %s', (name) => {
    expect(redactHeaders(new Headers({ [name]: TOKEN }))).toEqual({ [name.toLowerCase()]: '[redacted]' })
    expect(redactHeaders({ [name]: TOKEN })).toEqual({ [name.toLowerCase()]: '[redacted]' })
  })

  it('keeps ordinary headers, lower-cased', () => {
    expect(
      redactHeaders({ 'Content-Type': 'application/json', 'X-Request-Id': 'req_1', 'Idempotency-Key': 'k1' }),
    ).toEqual({ 'content-type': 'application/json', 'x-request-id': 'req_1', 'idempotency-key': 'k1' })
  })

  it('scrubs a credential hiding in an ordinary header value', () => {
    expect(redactHeaders({ 'www-authenticate': `Bearer ${TOKEN}`, link: JWT })).toEqual({
      'www-authenticate': 'Bearer [redacted]',
      link: '[redacted jwt]',
    })
  })
})

describe('what stays readable', () => {
  it('keeps prose after an auth scheme: only a credential-shaped word is redacted', () => {
    expect(redactText('the DPoP proof "iat" is too old')).toBe('the DPoP proof "iat" is too old')
    expect(redactText('Bearer token expired')).toBe('Bearer token expired')
    expect(redactText(`DPoP ${TOKEN}`)).toBe('DPoP [redacted]')
    expect(redactText('got Bearer agt_1:rls_do-not-print-me')).toBe('got Bearer [redacted]')
    expect(redactText('WWW-Authenticate: DPoP error="use_dpop_nonce"')).toBe(
      'WWW-Authenticate: DPoP error="use_dpop_nonce"',
    )
  })

  it('keeps DPoP-Nonce: a nonce is public, the client echoes it in its next proof', () => {
    expect(redactHeaders({ 'DPoP-Nonce': 'eyNonce-1', DPoP: JWT })).toEqual({
      'dpop-nonce': 'eyNonce-1',
      dpop: '[redacted]',
    })
  })
})

describe('redact', () => {
  it('replaces secret-named fields deeply and keeps the rest', () => {
    const value = {
      access_token: TOKEN,
      refresh_token: TOKEN,
      client_assertion: JWT,
      private_key: 'pem',
      password: 'hunter2',
      clientSecret: 'x',
      authorization: `Bearer ${TOKEN}`,
      dpop: JWT,
      nested: [{ apiKey: TOKEN, id: 'ag_1' }],
      agentId: 'ag_1',
      count: 3,
    }
    expect(redact(value)).toEqual({
      access_token: '[redacted]',
      refresh_token: '[redacted]',
      client_assertion: '[redacted]',
      private_key: '[redacted]',
      password: '[redacted]',
      clientSecret: '[redacted]',
      authorization: '[redacted]',
      dpop: '[redacted]',
      nested: [{ apiKey: '[redacted]', id: 'ag_1' }],
      agentId: 'ag_1',
      count: 3,
    })
    expect(value.access_token).toBe(TOKEN)
  })

  it("replaces a JWK's private members", () => {
    expect(redact({ jwk: { kty: 'EC', crv: 'P-256', x: 'pub-x', y: 'pub-y', d: 'private-d' } })).toEqual({
      jwk: { kty: 'EC', crv: 'P-256', x: 'pub-x', y: 'pub-y', d: '[redacted]' },
    })
  })

  it('scrubs bearer tokens, JWTs and PEM keys inside free text', () => {
    const text = `got Bearer ${TOKEN} and DPoP ${JWT}; proof ${JWT}; -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----`
    const scrubbed = redactText(text)
    expect(scrubbed).not.toContain(TOKEN)
    expect(scrubbed).not.toContain(JWT)
    expect(scrubbed).not.toContain('MIIE')
  })

  it('removes credentials and secret query parameters from URLs', () => {
    const url = redactUrl(`https://user:pass@api.test/cb?access_token=${TOKEN}&state=abc`)
    expect(url).toBe('https://api.test/cb?access_token=%5Bredacted%5D&state=abc')
  })

  it('describes errors and dates instead of dropping them', () => {
    const error = new Error(`failed with Bearer ${TOKEN}`)
    const redacted = redact({ error, at: new Date('2026-01-01T00:00:00Z') }) as Record<string, unknown>
    expect(redacted.at).toBe('2026-01-01T00:00:00.000Z')
    expect(redacted.error).toMatchObject({ name: 'Error', message: 'failed with Bearer [redacted]' })
  })

  it('inspectable objects print only their public view', () => {
    const credential = inspectable({ agentId: 'ag_1', secret: TOKEN }, () => ({ agentId: 'ag_1' }))
    expect(inspect(credential)).not.toContain(TOKEN)
    expect(inspect(credential)).toContain('ag_1')
    expect(JSON.stringify(credential)).toBe('{"agentId":"ag_1"}')
    expect(inspect({ wrapped: credential }, { depth: 5 })).not.toContain(TOKEN)
  })
})

/** Every way a user might look at an error: none may show a secret. */
function renderings(error: unknown): string[] {
  return [
    String((error as Error).message),
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
    String((error as Error).stack),
  ]
}

function expectNoSecret(error: unknown): void {
  expect(SdkError.isInstance(error)).toBe(true)
  for (const rendering of renderings(error)) {
    expect(rendering).not.toContain(TOKEN)
    expect(rendering).not.toContain(JWT)
  }
}

describe('no secret reaches an error', () => {
  let server: LocalServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const transportFor = (options: Partial<TransportOptions>) =>
    createTransport({
      baseUrl: 'https://api.example.test',
      userAgent: 'test/1.0.0',
      maxRetries: 0,
      logger: { error() {}, warn() {}, info() {}, debug() {} },
      auth: {
        authorize(context) {
          context.headers.set('authorization', `Bearer ${TOKEN}`)
          context.headers.set('dpop', JWT)
        },
      },
      ...options,
    })

  it('a connection error naming a URL with a user name and password', async () => {
    const refused = new URL(await refusedUrl())
    refused.username = 'ops'
    refused.password = 'hunter2-Zq81'
    const failure = await transportFor({ baseUrl: refused.href })
      .request({ method: 'GET', path: refused.href })
      .then(
        () => undefined,
        (error: unknown) => error as SdkError,
      )
    expect(failure).toBeInstanceOf(SdkError)
    if (failure === undefined) return
    for (const view of [
      failure.message,
      failure.stack ?? '',
      inspect(failure, { depth: 8 }),
      JSON.stringify(failure),
    ]) {
      expect(view).not.toContain('hunter2-Zq81')
    }
    expect(redactText(`fetch failed for ${refused.href}`)).toContain('[redacted]@127.0.0.1')
  })

  it('a server echoing the request credentials in its error body and headers', async () => {
    server = await startServer((request, response) => {
      response.writeHead(401, {
        'content-type': 'application/json',
        'set-cookie': `session=${TOKEN}`,
        'x-auth-token': TOKEN,
        'www-authenticate': `Bearer error="invalid_token", token="${TOKEN}"`,
      })
      response.end(
        JSON.stringify({
          error: 'invalid_token',
          error_description: `token ${request.headers.authorization} rejected; proof ${request.headers.dpop}`,
          received: { authorization: request.headers.authorization, dpop: request.headers.dpop },
          access_token: TOKEN,
        }),
      )
    })
    const error = await transportFor({ baseUrl: server.url })
      .request({ method: 'POST', path: '/pay', json: { password: TOKEN } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 401, code: 'invalid_token' })
    expectNoSecret(error)
    const headers = (error as { headers: Record<string, string> }).headers
    expect(headers['set-cookie']).toBe('[redacted]')
    expect(headers['x-auth-token']).toBe('[redacted]')
  })

  it('a server echoing a token as plain text', async () => {
    server = await startServer((request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' })
      response.end(`crashed handling Authorization: ${request.headers.authorization}`)
    })
    const error = await transportFor({ baseUrl: server.url })
      .request({ method: 'GET', path: '/me' })
      .catch((e: unknown) => e)
    expectNoSecret(error)
  })

  it('a refused connection', async () => {
    const error = await transportFor({ baseUrl: await refusedUrl() })
      .request({ method: 'GET', path: `/me?access_token=${TOKEN}` })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'connection_refused' })
    expectNoSecret(error)
  })

  it('a connection reset after the request went out', async () => {
    server = await startServer((_request, response) => {
      response.socket?.destroy()
    })
    const error = await transportFor({ baseUrl: server.url })
      .request({ method: 'GET', path: '/me', query: { client_secret: TOKEN } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'connection_error' })
    expectNoSecret(error)
  })

  it('a timeout', async () => {
    const error = await transportFor({ fetch: scriptedFetch(hang), timeoutMs: 10 })
      .request({ method: 'GET', path: '/me', query: { token: TOKEN } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'timeout' })
    expectNoSecret(error)
  })

  it('a fetch that fails with the request in its error', async () => {
    const fetch = scriptedFetch((request) => {
      throw Object.assign(new TypeError('fetch failed'), { request, headers: request.headers })
    })
    const error = await transportFor({ fetch })
      .request({ method: 'GET', path: '/me' })
      .catch((e: unknown) => e)
    expectNoSecret(error)
  })

  it('an SSE error event carrying a token', async () => {
    const body = new Response(`event: error\ndata: {"message":"bad proof ${JWT}","token":"${TOKEN}"}\n\n`, {
      headers: { 'set-cookie': `s=${TOKEN}` },
    })
    const error = await (async () => {
      for await (const _event of readSse(body, { errors: defaultErrorMap, errorEvent: 'error' })) {
      }
    })().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'stream_error' })
    expectNoSecret(error)
  })
})

describe('no secret reaches a log line', () => {
  it('the transport logs requests and retries without credentials', async () => {
    const lines: string[] = []
    const record =
      (level: string) =>
      (message: string, fields?: Record<string, unknown>): void => {
        lines.push(`${level} ${message} ${inspect(fields, { depth: 10 })}`)
      }
    const logger: Logger = {
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: record('debug'),
    }
    const fetch = scriptedFetch(
      new Response(`Bearer ${TOKEN}`, { status: 503 }),
      new Response('{}', { status: 200, headers: { 'set-cookie': TOKEN } }),
    )
    await createTransport({
      baseUrl: 'https://api.example.test',
      userAgent: 'test/1.0.0',
      fetch,
      logger,
      retry: { baseDelayMs: 0 },
      headers: { 'x-api-key': TOKEN },
      auth: {
        authorize(context) {
          context.headers.set('authorization', `Bearer ${TOKEN}`)
        },
      },
    }).request({ method: 'GET', path: `/me?access_token=${TOKEN}` })
    expect(lines.length).toBeGreaterThan(2)
    expect(lines.some((line) => line.startsWith('info retrying'))).toBe(true)
    for (const line of lines) expect(line).not.toContain(TOKEN)
  })
})
