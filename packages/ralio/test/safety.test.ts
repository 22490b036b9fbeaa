import { chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RalioConfigError, RalioConnectionError, RalioError } from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'
import { temporaryDirectory } from './helpers.js'
import { type RalioSandbox, registeredClient, startSandbox } from './sandbox.js'

const intentsWithReference = (sandbox: RalioSandbox, reference: string) =>
  sandbox.stats().paymentIntents.filter((intent) => intent.reference === reference)

describe('payment safety', () => {
  let sandbox: RalioSandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())
  beforeEach(() => sandbox.clearFaults())

  it('does not re-send a chat POST answered 502 after the work was done: one intent', async () => {
    const { client } = await registeredClient(sandbox, { maxRetries: 5 })
    sandbox.injectFault({
      route: 'POST /api/chat',
      status: 502,
      after: true,
      headers: { 'Retry-After': '0' },
    })
    const error = await client.chat
      .send({ message: 'Pay £40 to Dan for invoice 502' })
      .catch((caught) => caught)
    expect(RalioError.isInstance(error)).toBe(true)
    expect(error.statusCode).toBe(502)
    expect(intentsWithReference(sandbox, 'invoice 502')).toHaveLength(1)
    expect(sandbox.stats().chats.filter((chat) => chat.message.includes('invoice 502'))).toHaveLength(1)
    client.close()
  })

  it('does not re-send a chat POST whose connection dropped after the work: one intent', async () => {
    const { client } = await registeredClient(sandbox, { maxRetries: 5 })
    sandbox.injectFault({ route: 'POST /api/chat', dropConnection: true, after: true })
    const error = await client.chat
      .send({ message: 'Pay £41 to Dan for invoice drop' })
      .catch((caught) => caught)
    expect(RalioConnectionError.isInstance(error)).toBe(true)
    expect(intentsWithReference(sandbox, 'invoice drop')).toHaveLength(1)
    client.close()
  })

  it('retries a chat POST refused with 429 (nothing was processed): exactly one intent', async () => {
    const { client } = await registeredClient(sandbox)
    sandbox.injectFault({ route: 'POST /api/chat', status: 429, headers: { 'Retry-After': '0' } })
    const reply = await client.chat.send({ message: 'Pay £42 to Dan for invoice 429' })
    expect(reply.reply).toMatch(/42\.00/)
    expect(intentsWithReference(sandbox, 'invoice 429')).toHaveLength(1)
    client.close()
  })

  it('never re-sends a stream cut after its first events: RalioConnectionError, one intent', async () => {
    const { client } = await registeredClient(sandbox, { maxRetries: 5 })
    sandbox.injectFault({ route: 'POST /api/chat/stream', cutStreamAfterEvents: 2 })
    const seen: string[] = []
    const error = await (async () => {
      for await (const event of client.chat.stream({ message: 'Pay £43 to Dan for invoice cut' }))
        seen.push(event.event)
    })().catch((caught: unknown) => caught)
    expect(RalioConnectionError.isInstance(error)).toBe(true)
    expect(seen).toHaveLength(2)
    expect(intentsWithReference(sandbox, 'invoice cut')).toHaveLength(1)
    expect(sandbox.stats().chats.filter((chat) => chat.message.includes('invoice cut'))).toHaveLength(1)
    client.close()
  })

  it('closes the stream when the caller breaks out of the loop', async () => {
    const slow = await startSandbox({ streamDelayMs: 50 })
    try {
      const { client } = await registeredClient(slow)
      for await (const event of client.chat.stream({ message: 'What is my balance?' })) {
        expect(event.event).toBe('conversation')
        break
      }
      // The client still works: the connection was released, not left hanging.
      expect(await client.agents.list()).toHaveLength(1)
      client.close()
    } finally {
      await slow.close()
    }
  })

  it('aborts a stream from the caller signal', async () => {
    const slow = await startSandbox({ streamDelayMs: 200 })
    try {
      const { client } = await registeredClient(slow)
      const controller = new AbortController()
      const error = await (async () => {
        for await (const event of client.chat.stream({
          message: 'What is my balance?',
          signal: controller.signal,
        })) {
          if (event.event === 'conversation') controller.abort()
        }
      })().catch((caught: unknown) => caught)
      expect((error as Error).name).toBe('AbortError')
      client.close()
    } finally {
      await slow.close()
    }
  })
})

describe('configuration safety', () => {
  it('refuses http:// to a non-loopback host, naming the option that allows it', () => {
    const error = (() => {
      try {
        new RalioClient({ baseUrl: 'http://api.ralio.co', clientId: 'cb_1', privateKey: 'x' })
      } catch (caught) {
        return caught
      }
    })()
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/allowInsecureHttp: true/)
    expect(
      () =>
        new RalioClient({
          baseUrl: 'http://api.ralio.co',
          clientId: 'cb_1',
          privateKey: 'x',
          allowInsecureHttp: true,
        }),
    ).not.toThrow()
    for (const loopback of [
      'http://127.0.0.1:1',
      'http://localhost:1',
      'http://[::1]:1',
      'http://[::ffff:127.0.0.1]:1',
    ]) {
      expect(() => new RalioClient({ baseUrl: loopback, clientId: 'cb_1', privateKey: 'x' })).not.toThrow()
    }
  })

  it('logs a warning when allowInsecureHttp lets a plain-HTTP URL through', () => {
    const warnings: string[] = []
    const logger = { error() {}, warn: (message: string) => warnings.push(message), info() {}, debug() {} }
    new RalioClient({
      baseUrl: 'http://ralio.internal:8080',
      clientId: 'cb_1',
      privateKey: 'x',
      allowInsecureHttp: true,
      logger,
    })
    expect(warnings).toEqual([expect.stringMatching(/ralio\.internal:8080 over plain HTTP/)])
  })

  it('refuses a base URL with a user name or password, never showing it', () => {
    const error = (() => {
      try {
        new RalioClient({
          baseUrl: 'https://user:hunter2-pw@api.ralio.co',
          clientId: 'cb_1',
          privateKey: 'x',
        })
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toMatchObject({ code: 'invalid_url' })
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect(inspect(error)).not.toContain('hunter2-pw')
  })

  it('refuses http:// for register() too, before spending the ticket', async () => {
    await expect(register({ ticket: 'ralio-reg-x', baseUrl: 'http://example.com' })).rejects.toThrow(
      /allowInsecureHttp/,
    )
  })

  it('needs clientId with an explicit key', () => {
    expect(() => new RalioClient({ privateKey: 'x' })).toThrow(/clientId/)
  })
})

describe('no secret in output', () => {
  let sandbox: RalioSandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())

  it('keeps tokens, proofs, assertions and keys out of inspect, JSON, errors and logs', async () => {
    const secrets: string[] = []
    const spy: typeof fetch = async (input, init) => {
      const request = new Request(input, init)
      for (const header of ['authorization', 'dpop']) {
        const value = request.headers.get(header)
        if (value) secrets.push(value.replace(/^DPoP /, ''))
      }
      const form = new URLSearchParams(await request.clone().text())
      for (const field of ['client_assertion', 'refresh_token'])
        if (form.get(field)) secrets.push(form.get(field)!)
      const response = await fetch(request)
      if (request.url.endsWith('/oauth/token') && response.ok) {
        const body = (await response.clone().json()) as Record<string, string>
        secrets.push(body.access_token!, body.refresh_token!)
      }
      return response
    }
    const logs: string[] = []
    const logger = {
      error: (message: string, fields?: unknown) => logs.push(message, inspect(fields, { depth: 10 })),
      warn: (message: string, fields?: unknown) => logs.push(message, inspect(fields, { depth: 10 })),
      info: (message: string, fields?: unknown) => logs.push(message, inspect(fields, { depth: 10 })),
      debug: (message: string, fields?: unknown) => logs.push(message, inspect(fields, { depth: 10 })),
    }
    const { client, store } = await registeredClient(sandbox, { fetch: spy, logger })
    const pem = (await store.load()).privateKeyPem!
    await client.agents.list()
    sandbox.injectFault({ route: 'GET /api/agents', status: 401, count: 2, body: { detail: 'nope' } })
    const error = await client.agents.list().catch((caught: unknown) => caught)
    sandbox.injectFault({ route: 'GET /api/agents', status: 500, count: 3, headers: { 'Retry-After': '0' } })
    const serverError = await client.agents.list().catch((caught: unknown) => caught)

    const output = [
      inspect(client, { depth: 10 }),
      JSON.stringify(client),
      inspect(store, { depth: 10 }),
      JSON.stringify(store),
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
      String((error as Error).stack),
      inspect(serverError, { depth: 10 }),
      ...logs,
    ].join('\n')
    expect(secrets.length).toBeGreaterThan(5)
    expect(logs.length).toBeGreaterThan(0)
    for (const secret of [...secrets, pem.split('\n')[1]!]) expect(output).not.toContain(secret)
    expect(output).not.toContain('PRIVATE KEY')
    expect(inspect(client)).toContain(sandbox.url)
    client.close()
  })

  it('keeps the key file out of errors when its mode lets others replace it', async () => {
    const dir = await temporaryDirectory()
    try {
      const configDir = join(dir.path, 'ralio')
      const { keyPath } = await register({
        ticket: sandbox.mintTicket().ticket,
        baseUrl: sandbox.url,
        configDir,
      })
      await chmod(keyPath!, 0o664)
      await using client = new RalioClient({ baseUrl: sandbox.url, configDir })
      const error = await client.agents.list().catch((caught: unknown) => caught)
      expect(RalioConfigError.isInstance(error)).toBe(true)
      expect((error as Error).message).toContain(`chmod 600 ${keyPath}`)
    } finally {
      await dir.cleanup()
    }
  })
})
