import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { errorViews, recordingLogger } from '../../core/test/support/error-views.js'
import { type LocalServer, startServer } from '../../core/test/support/local-server.js'
import { RelyntClient, RelyntError } from '../src/index.js'

// An id and secret no pattern recognises once the server drops the `Bearer ` in front.
const AGENT_ID = 'agt_x'
const SECRET = 'Kq7ZopaqueAgentSecret'

/** `agt_x:Kq7Z…`, as the gateway received it but without its scheme. */
const echoed = (request: IncomingMessage) => String(request.headers.authorization).replace(/^Bearer /, '')

describe('Relynt against a gateway echoing the agent secret', () => {
  let server: LocalServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function requestAgainst(
    respond: (request: IncomingMessage, response: ServerResponse) => void,
  ): Promise<{ error: unknown; lines: string[] }> {
    server = await startServer(respond)
    const lines: string[] = []
    const logger = recordingLogger(lines)
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
    for (const view of errorViews(error, lines)) expect(view).not.toContain(SECRET)
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
