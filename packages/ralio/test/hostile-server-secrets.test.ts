import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { errorViews, recordingLogger } from '../../core/test/support/error-views.js'
import { type LocalServer, sendJson, startServer } from '../../core/test/support/local-server.js'
import { generateSigningKey } from '../src/auth/signing-key.js'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioError } from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'

// Opaque values no pattern recognises (no scheme in front, not JWT-shaped).
const ACCESS_TOKEN = 'ralio_at_Q2xBvT9opaqueAccess'
const REFRESH_TOKEN = 'ralio_rt_M7kLw3opaqueRefresh'
const TICKET = 'ralio-reg-7Hq2Wopaque-ticket'

type Respond = (request: IncomingMessage & { body: string }, response: ServerResponse) => void

/** A loopback Ralio that issues tokens normally and answers `route` with `respond`. */
function hostileRalio(route: string, respond: Respond): Promise<LocalServer> {
  return startServer((request, response) => {
    const key = `${request.method} ${request.url?.split('?')[0]}`
    if (key === route) return respond(request, response)
    if (key === 'POST /oauth/token') {
      return sendJson(response, 200, {
        access_token: ACCESS_TOKEN,
        token_type: 'DPoP',
        expires_in: 1800,
        refresh_token: REFRESH_TOKEN,
        scope: 'agents:execute',
      })
    }
    sendJson(response, 404, { detail: 'Not Found' })
  })
}

/** Every view of an error a user may print, plus every logged line. */
function expectNowhere(secrets: readonly string[], error: unknown, lines: readonly string[] = []): void {
  expect(RalioError.isInstance(error)).toBe(true)
  for (const view of errorViews(error, lines))
    for (const secret of secrets) expect(view).not.toContain(secret)
}

describe('Ralio against a server echoing the secrets it was sent', () => {
  let server: LocalServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function clientFor(lines: string[]): Promise<RalioClient> {
    const { pem } = await generateSigningKey()
    return new RalioClient({
      baseUrl: server!.url,
      clientId: 'cb_hostile',
      privateKey: pem,
      maxRetries: 0,
      logger: recordingLogger(lines),
    })
  }

  const tokenOf = (request: IncomingMessage) => String(request.headers.authorization).replace(/^DPoP /, '')

  it('an access token echoed without its scheme in a JSON body', async () => {
    server = await hostileRalio('GET /api/agents', (request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({ detail: `token ${tokenOf(request)} lacks agents:read`, got: tokenOf(request) }),
      )
    })
    const lines: string[] = []
    const error = await (await clientFor(lines)).agents.list().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ statusCode: 403, message: 'token [redacted] lacks agents:read' })
    expectNowhere([ACCESS_TOKEN, REFRESH_TOKEN], error, lines)
  })

  it('an access token and the DPoP proof echoed in an HTML error page', async () => {
    let proof = ''
    server = await hostileRalio('GET /api/agents', (request, response) => {
      proof = String(request.headers.dpop)
      response.writeHead(502, { 'content-type': 'text/html' })
      // Glued to a word, so the proof no longer starts a JWT-shaped word.
      response.end(`<pre>auth=${tokenOf(request)}\nproof=x${proof}</pre>`)
    })
    const lines: string[] = []
    const error = await (await clientFor(lines)).agents.list().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ statusCode: 502 })
    expect(proof).toMatch(/^eyJ/)
    expectNowhere([ACCESS_TOKEN, proof], error, lines)
  })

  it('an access token echoed in WWW-Authenticate', async () => {
    server = await hostileRalio('GET /api/agents', (request, response) => {
      response.writeHead(403, {
        'content-type': 'application/json',
        'www-authenticate': `DPoP realm="${tokenOf(request)}", error="insufficient_scope"`,
      })
      response.end('{}')
    })
    const lines: string[] = []
    const error = await (await clientFor(lines)).agents.list().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ statusCode: 403 })
    expectNowhere([ACCESS_TOKEN], error, lines)
  })

  it('the client assertion and proof echoed in a token endpoint error', async () => {
    let assertion = ''
    let proof = ''
    server = await hostileRalio('POST /oauth/token', (request, response) => {
      assertion = new URLSearchParams(request.body).get('client_assertion') ?? ''
      proof = String(request.headers.dpop)
      response.writeHead(400, { 'content-type': 'text/plain' })
      response.end(`invalid_client: could not verify x${assertion} (proof x${proof})`)
    })
    const lines: string[] = []
    const error = await (await clientFor(lines)).agents.list().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ statusCode: 400 })
    expect(assertion).toMatch(/^eyJ/)
    expectNowhere([assertion, proof], error, lines)
  })

  it('the registration ticket echoed in a registration error', async () => {
    server = await hostileRalio('POST /api/credential-bindings/registrations', (request, response) => {
      const { ticket } = JSON.parse(request.body) as { ticket: string }
      response.writeHead(400, { 'content-type': 'application/json', 'x-ticket-echo': ticket })
      response.end(
        JSON.stringify({
          detail: { error: 'invalid_ticket', error_description: `no ticket ${ticket} here` },
        }),
      )
    })
    const error = await register({
      ticket: TICKET,
      baseUrl: server.url,
      credentialStore: new MemoryCredentialStore(),
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'invalid_ticket' })
    expect((error as Error).message).toMatch(/^No ticket \[redacted\] here/)
    expectNowhere([TICKET], error)
  })

  it('the registration ticket echoed in an HTML page', async () => {
    server = await hostileRalio('POST /api/credential-bindings/registrations', (request, response) => {
      const { ticket } = JSON.parse(request.body) as { ticket: string }
      response.writeHead(500, { 'content-type': 'text/html' })
      response.end(`<html><body>Internal error handling <b>${ticket}</b></body></html>`)
    })
    const error = await register({
      ticket: TICKET,
      baseUrl: server.url,
      credentialStore: new MemoryCredentialStore(),
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ statusCode: 500 })
    expectNowhere([TICKET], error)
  })
})
