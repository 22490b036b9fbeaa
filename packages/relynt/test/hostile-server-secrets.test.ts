import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { type Logger, RelyntClient, RelyntError } from '../src/index.js'

// An id and secret no pattern recognises once the server drops the `Bearer ` in front.
const AGENT_ID = 'agt_x'
const SECRET = 'Kq7ZopaqueAgentSecret'

interface HostileServer {
  url: string
  close(): Promise<void>
}

async function hostileGateway(respond: (request: IncomingMessage, response: ServerResponse) => void) {
  const sockets = new Set<Socket>()
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => respond(request, response))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  } satisfies HostileServer
}

/** `agt_x:Kq7Z…`, as the gateway received it but without its scheme. */
const echoed = (request: IncomingMessage) => String(request.headers.authorization).replace(/^Bearer /, '')

describe('Relynt against a gateway echoing the agent secret', () => {
  let server: HostileServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function requestAgainst(
    respond: (request: IncomingMessage, response: ServerResponse) => void,
  ): Promise<{ error: unknown; lines: string[] }> {
    server = await hostileGateway(respond)
    const lines: string[] = []
    const record = (message: string, fields?: Record<string, unknown>) =>
      lines.push(`${message} ${inspect(fields, { depth: 10 })}`)
    const logger: Logger = { error: record, warn: record, info: record, debug: record }
    const client = new RelyntClient({
      baseUrl: server.url,
      agentId: AGENT_ID,
      agentSecret: SECRET,
      maxRetries: 0,
      logger,
    })
    const error = await client
      .requestAction({ action: 'payments.send', resource: 'invoice/1' })
      .catch((caught: unknown) => caught)
    expect(RelyntError.isInstance(error)).toBe(true)
    expect(lines.length).toBeGreaterThan(0)
    return { error, lines }
  }

  function expectNowhere(error: unknown, lines: readonly string[]): void {
    const record = error as Error & { body?: unknown; headers?: unknown }
    const views = [
      record.message,
      String(record.stack),
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
      inspect(record.body, { depth: 10 }),
      inspect(record.headers, { depth: 10 }),
      ...lines,
    ]
    for (const view of views) expect(view).not.toContain(SECRET)
  }

  it('the credential without Bearer in a JSON error body', async () => {
    const { error, lines } = await requestAgainst((request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({ error: { code: 'unauthorized', message: `unknown agent ${echoed(request)}` } }),
      )
    })
    expect(error).toMatchObject({ statusCode: 401, message: 'unknown agent [redacted]' })
    expectNowhere(error, lines)
  })

  it('the credential in an HTML error page', async () => {
    const { error, lines } = await requestAgainst((request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' })
      response.end(`<html><body><pre>agent ${echoed(request)} unknown</pre></body></html>`)
    })
    expect(error).toMatchObject({ statusCode: 502 })
    expectNowhere(error, lines)
  })

  it('the credential in a WWW-Authenticate header', async () => {
    const { error, lines } = await requestAgainst((request, response) => {
      response.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Basic realm="${echoed(request)}"`,
      })
      response.end('{}')
    })
    expect(error).toMatchObject({ statusCode: 401 })
    expectNowhere(error, lines)
  })
})
