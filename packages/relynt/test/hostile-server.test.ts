import { afterEach, describe, expect, it } from 'vitest'
import { type Handler, type LocalServer, startServer } from '../../core/test/support/local-server.js'
import { NetworkError, RelyntError, RequestError } from '../src/errors.js'
import { RelyntClient } from '../src/relynt-client.js'
import { deal } from './support/gateway.js'

const secret = 'agt_hostile:s3cr3t-value-0123456789'
const servers: LocalServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A loopback server counting what reaches it (`requests`): a hostile gateway, or the origin it points at. */
async function origin(handler: Handler): Promise<LocalServer> {
  const server = await startServer(handler)
  servers.push(server)
  return server
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('a hostile gateway', () => {
  it('a 307 on requestAction re-sends neither the payload, the idempotency key nor the secret', async () => {
    const other = await origin((_request, response) => void response.end())
    const hostile = await origin((_request, response) => {
      response.writeHead(307, { location: `${other.url}/v1/actions` })
      response.end()
    })
    const client = new RelyntClient({
      baseUrl: hostile.url,
      agentSecret: secret,
      logger: 'off',
      maxRetries: 3,
    })
    const error = await caught(client.requestAction({ ...deal.allowed, idempotencyKey: 'key-redirect-1' }))
    expect(RequestError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'unexpected_redirect', statusCode: 307 })
    expect((error as Error).message).toContain(other.url)
    expect((error as Error).message).toContain('not re-sent')
    expect(hostile.requests).toHaveLength(1)
    expect(other.requests).toHaveLength(0)
  })

  it('an endless body fails with NetworkError response_too_large and the connection is cut', async () => {
    let written = 0
    let markClosed: () => void = () => {}
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve
    })
    const hostile = await origin((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.on('close', markClosed)
      const chunk = `{"padding":"${'x'.repeat(64 * 1024)}`
      const pump = () => {
        while (!response.destroyed && written < 1024 * 1024 * 1024) {
          written += chunk.length
          if (!response.write(chunk)) return void response.once('drain', pump)
        }
      }
      pump()
    })
    const client = new RelyntClient({
      baseUrl: hostile.url,
      agentSecret: secret,
      logger: 'off',
      maxResponseBytes: 512 * 1024,
    })
    const error = await caught(client.requestAction(deal.allowed))
    expect(NetworkError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'response_too_large' })
    await closed
    expect(written).toBeLessThan(64 * 1024 * 1024)
    // Never retried, though the call carries an idempotency key: the answer would be as large.
    expect(hostile.requests).toHaveLength(1)
  })

  it('an idempotency key with a line break is refused before anything is sent', async () => {
    const hostile = await origin((_request, response) => void response.end('{}'))
    const client = new RelyntClient({ baseUrl: hostile.url, agentSecret: secret, logger: 'off' })
    const error = await caught(client.requestAction({ ...deal.allowed, idempotencyKey: 'key\r\nX-Evil: 1' }))
    expect(RelyntError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_argument' })
    expect((error as Error).message).toContain('idempotencyKey')
    expect(hostile.requests).toHaveLength(0)
  })
})
