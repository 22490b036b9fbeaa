import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { type Handler, type LocalServer, startServer } from '../../core/test/support/local-server.js'
import { RalioAPIError, RalioConnectionError, RalioError, RalioRegistrationError } from '../src/errors.js'
import { MemoryCredentialStore } from '../src/index.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'

/** A loopback server standing in for a hostile Ralio, or for the origin it redirects to. */
type Origin = LocalServer

const origins: Origin[] = []
afterEach(async () => {
  await Promise.all(origins.splice(0).map((origin) => origin.close()))
})

async function origin(handler: Handler): Promise<Origin> {
  const created = await startServer(handler)
  origins.push(created)
  return created
}

const redirectTo =
  (target: Origin, status = 307) =>
  (_request: unknown, response: ServerResponse) => {
    response.writeHead(status, { location: `${target.url}/collect` })
    response.end()
  }

const token = {
  access_token: 'ralio_at_hostile_0123456789',
  token_type: 'DPoP',
  expires_in: 1800,
  scope: 'agents:execute',
}

async function explicitKeyClient(baseUrl: string, options: { maxResponseBytes?: number } = {}) {
  const privateKey = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])
  return new RalioClient({ baseUrl, clientId: 'cb_hostile', privateKey, logger: 'off', ...options })
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('redirects from a hostile server are never followed', () => {
  it('register(): a 307 from the registration endpoint sends the ticket nowhere else', async () => {
    const other = await origin((_request, response) => void response.end())
    const hostile = await origin(redirectTo(other))
    const ticket = 'ralio-reg-hostile-ticket-0123456789'
    const error = await caught(
      register({ ticket, baseUrl: hostile.url, credentialStore: new MemoryCredentialStore() }),
    )
    // Any non-2xx answer of the registration endpoint is a registration error.
    expect(RalioRegistrationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: 307 })
    expect((error as Error).message).toContain(other.url)
    expect(hostile.requests).toHaveLength(1)
    expect(other.requests).toHaveLength(0)
  })

  it('the token endpoint: a 307 re-sends neither the assertion nor the proof', async () => {
    const other = await origin((_request, response) => void response.end())
    const hostile = await origin(redirectTo(other))
    await using client = await explicitKeyClient(hostile.url)
    const error = await caught(client.agents.list())
    expect(RalioError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: 307 })
    expect(hostile.requests.map((request) => request.url)).toEqual(['/oauth/token'])
    expect(other.requests).toHaveLength(0)
  })

  it('a resource GET: a 302 carries no DPoP proof or token to the other origin', async () => {
    const other = await origin((_request, response) => void response.end())
    const hostile = await origin((request, response) => {
      if (request.url === '/oauth/token') {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify(token))
      } else redirectTo(other, 302)(request, response)
    })
    await using client = await explicitKeyClient(hostile.url)
    const error = await caught(client.agents.list())
    expect(RalioAPIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: 302 })
    expect(hostile.requests.map((request) => request.url)).toEqual(['/oauth/token', '/api/agents'])
    expect(other.requests).toHaveLength(0)
  })
})

describe('oversized answers from a hostile server', () => {
  it('a resource body over maxResponseBytes fails with response_too_large and the connection is cut', async () => {
    let written = 0
    let markClosed: () => void = () => {}
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve
    })
    const hostile = await origin((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      if (request.url === '/oauth/token') return void response.end(JSON.stringify(token))
      response.on('close', markClosed)
      const chunk = `[${'{"id":"ag_1"},'.repeat(4096)}`
      const pump = () => {
        // An endless body: only the client closing the connection stops it (or 1 GB).
        while (!response.destroyed && written < 1024 * 1024 * 1024) {
          written += chunk.length
          if (!response.write(chunk)) return void response.once('drain', pump)
        }
      }
      pump()
    })
    await using client = await explicitKeyClient(hostile.url, { maxResponseBytes: 1024 * 1024 })
    const error = await caught(client.agents.list())
    expect(RalioConnectionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'response_too_large' })
    await closed
    expect(written).toBeLessThan(64 * 1024 * 1024)
  })
})

describe('streams from a server that cuts corners', () => {
  it('a final reply the server ends without its closing blank line is still delivered', async () => {
    const server = await origin((request, response) => {
      if (request.url === '/oauth/token') {
        response.writeHead(200, { 'content-type': 'application/json' })
        return void response.end(JSON.stringify(token))
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.write('event: conversation\ndata: {"conversation_id":"conv_1"}\n\n')
      response.end('event: reply\ndata: {"text":"Paid Bob"}')
    })
    await using client = await explicitKeyClient(server.url)
    const result = await client.chat.stream({ message: 'Pay Bob', agentId: 'ag_1' }).finalReply()
    expect(result).toEqual({ reply: 'Paid Bob', conversationId: 'conv_1' })
  })
})
