import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { generateSigningKey } from '../src/auth/signing-key.js'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import {
  RalioAPIError,
  RalioAuthError,
  RalioConfigError,
  RalioConnectionError,
  RalioError,
  RalioNotFoundError,
  RalioPermissionError,
  RalioRateLimitError,
  RalioRegistrationError,
  RalioTimeoutError,
  RalioValidationError,
} from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { type RalioSandbox, registeredClient, startSandbox } from './sandbox.js'

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error as RalioAPIError,
  )

describe('errors produced through the wire', () => {
  let sandbox: RalioSandbox
  let client: RalioClient
  beforeAll(async () => {
    sandbox = await startSandbox()
    client = (await registeredClient(sandbox)).client
    await client.agents.list()
  })
  afterAll(async () => {
    client.close()
    await sandbox.close()
  })
  beforeEach(() => sandbox.clearFaults())

  it('403 insufficient_scope → RalioPermissionError', async () => {
    const { client: limited } = await registeredClient(sandbox, { requestedScopes: ['agents:execute'] })
    const error = await caught(limited.transactions.list())
    expect(RalioPermissionError.isInstance(error)).toBe(true)
    expect(error).toBeInstanceOf(RalioPermissionError)
    expect(error).toMatchObject({ statusCode: 403, message: 'insufficient_scope' })
    limited.close()
  })

  it('403 for an agent the binding is not pinned to → RalioPermissionError', async () => {
    const error = await caught(client.chat.send({ message: 'hello', agentId: 'agent_not_mine' }))
    expect(RalioPermissionError.isInstance(error)).toBe(true)
    expect(error.message).toMatch(/Agent not found or access denied/)
  })

  it('404 → RalioNotFoundError with the request id', async () => {
    sandbox.injectFault({
      route: 'GET /api/payment-intents',
      status: 404,
      body: { detail: 'No such agent' },
      headers: { 'x-request-id': 'req_123' },
    })
    const error = await caught(client.paymentIntents.list())
    expect(RalioNotFoundError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      statusCode: 404,
      code: 'not_found',
      message: 'No such agent',
      requestId: 'req_123',
    })
  })

  it('422 → RalioValidationError', async () => {
    sandbox.injectFault({ route: 'POST /api/chat', status: 422, body: { detail: 'Message too long' } })
    const error = await caught(client.chat.send({ message: 'hi' }))
    expect(RalioValidationError.isInstance(error)).toBe(true)
    expect(error.message).toBe('Message too long')
  })

  it('429 is retried after Retry-After, then surfaces as RalioRateLimitError with retryAfterMs', async () => {
    sandbox.injectFault({ route: 'GET /api/agents', status: 429, count: 1, headers: { 'Retry-After': '0' } })
    expect(await client.agents.list()).toHaveLength(1)

    sandbox.injectFault({
      route: 'GET /api/agents',
      status: 429,
      count: 1,
      headers: { 'Retry-After': '3600' },
    })
    const error = await caught(client.agents.list())
    expect(RalioRateLimitError.isInstance(error)).toBe(true)
    expect(error.retryAfterMs).toBe(3_600_000)
  })

  it('5xx on a GET is retried; when it persists → RalioAPIError', async () => {
    sandbox.injectFault({ route: 'GET /api/agents', status: 503, count: 1, headers: { 'Retry-After': '0' } })
    expect(await client.agents.list()).toHaveLength(1)
    sandbox.injectFault({ route: 'GET /api/agents', status: 500, count: 3, headers: { 'Retry-After': '0' } })
    const error = await caught(client.agents.list())
    expect(RalioAPIError.isInstance(error)).toBe(true)
    expect(RalioRateLimitError.isInstance(error)).toBe(false)
    expect(error).toMatchObject({ statusCode: 500, code: 'internal_error' })
  })

  it('401 that a refresh cannot fix → RalioAuthError carrying the WWW-Authenticate reason', async () => {
    sandbox.injectFault({
      route: 'GET /api/agents',
      status: 401,
      count: 2,
      body: {},
      headers: { 'WWW-Authenticate': 'DPoP error="invalid_token", error_description="binding revoked"' },
    })
    const error = await caught(client.agents.list())
    expect(RalioAuthError.isInstance(error)).toBe(true)
    expect(error.message).toBe('binding revoked')
  })

  it('a dropped connection on a GET is retried; when it persists → RalioConnectionError', async () => {
    sandbox.injectFault({ route: 'GET /api/agents', dropConnection: true, count: 1 })
    expect(await client.agents.list()).toHaveLength(1)
    sandbox.injectFault({ route: 'GET /api/agents', dropConnection: true, count: 3 })
    const error = await caught(client.agents.list())
    expect(RalioConnectionError.isInstance(error)).toBe(true)
    expect(RalioTimeoutError.isInstance(error)).toBe(false)
  })

  it('a slow answer → RalioTimeoutError (also a RalioConnectionError)', async () => {
    const { client: impatient } = await registeredClient(sandbox, { timeoutMs: 300, maxRetries: 0 })
    await impatient.agents.list()
    sandbox.injectFault({ route: 'GET /api/agents', latencyMs: 3_000, count: 1 })
    const error = await caught(impatient.agents.list())
    expect(RalioTimeoutError.isInstance(error)).toBe(true)
    expect(RalioConnectionError.isInstance(error)).toBe(true)
    impatient.close()
  })

  it('an error event in a stream → RalioAPIError with the server message', async () => {
    const events: string[] = []
    const error = await caught(
      (async () => {
        for await (const event of client.chat.stream({ message: 'simulate agent failure' }))
          events.push(event.event)
      })(),
    )
    expect(RalioAPIError.isInstance(error)).toBe(true)
    expect(error.code).toBe('stream_error')
    expect(error.message).toMatch(/simulated failure/)
    expect(events).toContain('conversation')
  })

  it('a refused connection → RalioConnectionError (code connection_refused)', async () => {
    const closed = await startSandbox()
    const url = closed.url
    await closed.close()
    const { pem } = await generateSigningKey()
    await using offline = new RalioClient({ baseUrl: url, clientId: 'cb_x', privateKey: pem, maxRetries: 0 })
    const error = await caught(offline.agents.list())
    expect(RalioConnectionError.isInstance(error)).toBe(true)
    expect(error.code).toBe('connection_refused')
  })

  it('missing credentials → RalioConfigError naming register()', async () => {
    await using empty = new RalioClient({
      baseUrl: sandbox.url,
      credentialStore: new MemoryCredentialStore(),
    })
    const error = await caught(empty.agents.list())
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect(error.message).toMatch(/register/)
  })

  it('every error is a RalioError, found by brand across package copies', async () => {
    sandbox.injectFault({ route: 'GET /api/agents', status: 404 })
    const error = await caught(client.agents.list())
    const foreign = Object.create(null) as Record<symbol, boolean>
    foreign[Symbol.for('x.error.RalioError')] = true
    expect(RalioError.isInstance(error)).toBe(true)
    expect(RalioError.isInstance(foreign)).toBe(true)
    expect(RalioNotFoundError.isInstance(foreign)).toBe(false)
    expect(error.name).toBe('RalioNotFoundError')
  })
})

describe('registration advice says only what the Ralio sources say', () => {
  it.each([
    ['invalid_scope', /audits:read/],
    ['ticket_expired', /15 minutes/],
  ])('%s advice makes no unsourced claim', (code, unsourced) => {
    const error = new RalioRegistrationError({ code, message: 'refused', body: { detail: { error: code } } })
    expect(error.message).not.toMatch(unsourced)
    expect(error.message).toMatch(/ticket/)
  })
})
