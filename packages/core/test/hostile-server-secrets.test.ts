import { afterEach, describe, expect, it } from 'vitest'
import { SdkError } from '../src/index.js'
import { createLogger, createSecretScope, createTransport, type SecretScope } from '../src/internal/index.js'
import { errorViews, recordingLogger } from './support/error-views.js'
import { type LocalServer, startServer } from './support/local-server.js'

// Shaped like nothing the patterns know (no scheme, not a JWT, no secret-named parameter):
// only the value registered with the scope can be recognised.
const SECRET = 'agt_x:Zq81OpaqueValue'

describe('a hostile server echoing a secret the client holds', () => {
  let server: LocalServer | undefined
  let secrets: SecretScope
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function failingRequest(
    respond: (response: import('node:http').ServerResponse, sent: string) => void,
  ): Promise<{ error: unknown; lines: string[] }> {
    secrets = createSecretScope()
    secrets.add(SECRET, 'agentSecret')
    server = await startServer((request, response) => respond(response, request.headers['x-agent'] as string))
    const lines: string[] = []
    const sink = recordingLogger(lines)
    const transport = createTransport({
      baseUrl: server.url,
      userAgent: 'test/1.0.0',
      maxRetries: 0,
      logger: createLogger(sink, 'test'),
      // Not an Authorization header: nothing about its name says "secret".
      headers: { 'x-agent': SECRET },
    })
    const error = await transport
      .request({ method: 'GET', path: `/things/${SECRET}` })
      .catch((caught: unknown) => caught)
    expect(SdkError.isInstance(error)).toBe(true)
    expect(lines.length).toBeGreaterThan(0)
    return { error, lines }
  }

  function expectNoSecret(error: unknown, lines: string[]): void {
    for (const view of errorViews(error, lines)) expect(view).not.toContain(SECRET)
  }

  it('in a JSON error body', async () => {
    const { error, lines } = await failingRequest((response, sent) => {
      response.writeHead(400, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ message: `bad agent ${sent}`, echoed: sent, [sent]: 'as a key' }))
    })
    expect(error).toMatchObject({ statusCode: 400, message: 'bad agent [redacted]' })
    expectNoSecret(error, lines)
  })

  it('in an HTML error page', async () => {
    const { error, lines } = await failingRequest((response, sent) => {
      response.writeHead(502, { 'content-type': 'text/html' })
      response.end(`<html><body><h1>Bad gateway</h1><pre>x-agent: ${sent}</pre></body></html>`)
    })
    expect(error).toMatchObject({ statusCode: 502 })
    expectNoSecret(error, lines)
  })

  it('in a WWW-Authenticate header', async () => {
    const { error, lines } = await failingRequest((response, sent) => {
      response.writeHead(401, { 'www-authenticate': `Basic realm="${sent}"`, 'x-echo': sent })
      response.end()
    })
    expect(error).toMatchObject({ statusCode: 401 })
    expect((error as { headers: Record<string, string> }).headers['www-authenticate']).toBe(
      'Basic realm="[redacted]"',
    )
    expect(error).toMatchObject({ wwwAuthenticate: { scheme: 'Basic', params: { realm: '[redacted]' } } })
    expectNoSecret(error, lines)
  })

  it('URL-encoded in a plain-text body', async () => {
    const { error, lines } = await failingRequest((response, sent) => {
      response.writeHead(500, { 'content-type': 'text/plain' })
      response.end(`could not parse agent=${encodeURIComponent(sent)}`)
    })
    expectNoSecret(error, lines)
    expect(JSON.stringify(error)).not.toContain(encodeURIComponent(SECRET))
  })
})
