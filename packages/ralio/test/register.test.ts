import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioConfigError, RalioRegistrationError } from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'
import { bindExistingKey, copyPythonFixture, temporaryDirectory } from './helpers.js'
import { type RalioSandbox, startSandbox } from './sandbox.js'

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error as RalioRegistrationError,
  )

describe('register()', () => {
  let sandbox: RalioSandbox
  let dir: { path: string; cleanup: () => Promise<void> }
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())
  beforeEach(async () => {
    dir = await temporaryDirectory()
    sandbox.setRegistrationBehavior({ mode: 'active', fingerprint: 'correct' })
  })
  afterEach(() => dir.cleanup())

  it('binds a new key, writes the shared layout and reports the granted scopes', async () => {
    const configDir = join(dir.path, 'ralio')
    const registration = await register({
      ticket: sandbox.mintTicket({ scopeCeiling: ['agents:execute', 'transactions:read'] }).ticket,
      baseUrl: sandbox.url,
      configDir,
      clientMetadata: { hostname: 'build-01' },
    })
    expect(registration).toEqual({
      clientId: expect.stringMatching(/^cb_/),
      scopes: ['agents:execute', 'transactions:read'],
      jkt: expect.any(String),
      keyPath: join(configDir, 'keys', `${registration.jkt}.pem`),
    })
    expect((await stat(registration.keyPath!)).mode & 0o777).toBe(0o600)
    const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
    expect(file).toMatchObject({
      client_id: registration.clientId,
      key_jkt: registration.jkt,
      key_path: registration.keyPath,
      access_token: expect.any(String),
      expires_in: 1800,
      obtained_at: expect.any(Number),
      scope: 'agents:execute transactions:read',
      auth_method: 'private_key_jwt',
    })
    // The first refresh token is the registering process's own family: never shared.
    expect(file).not.toHaveProperty('refresh_token')
  })

  it('asks only for the requested scopes', async () => {
    const registration = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      credentialStore: new MemoryCredentialStore(),
      requestedScopes: ['transactions:read'],
    })
    expect(registration.scopes).toEqual(['transactions:read'])
    expect(registration).not.toHaveProperty('keyPath')
  })

  it('reports a consumed ticket with when and by whom, and what to do', async () => {
    const ticket = sandbox.mintTicket().ticket
    await register({
      ticket,
      baseUrl: sandbox.url,
      credentialStore: new MemoryCredentialStore(),
      clientMetadata: { hostname: 'host-a' },
    })
    const error = await rejection(
      register({ ticket, baseUrl: sandbox.url, configDir: join(dir.path, 'second') }),
    )
    expect(RalioRegistrationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'ticket_already_consumed', statusCode: 409, usedByHost: 'host-a' })
    expect(error.usedAt).toEqual(expect.any(String))
    expect(error.message).toContain(`used at ${error.usedAt}, by host-a`)
    expect(error.message).toMatch(/ask the owner for a new/)
    // The server already advises; the advice is said once.
    expect(error.message.match(/ask the owner/g)).toHaveLength(1)
    expect(error.message).toMatch(/^This registration ticket has already been used \(used at /)
    expect(error.detail).toMatch(/already been used/)
    // A refused registration bound nothing: its key is not left behind.
    expect(await readdir(join(dir.path, 'second', 'keys'))).toEqual([])
  })

  it.each([
    ['an unknown ticket', () => 'ralio-reg-does-not-exist', 'invalid_ticket', 404],
    ['an expired ticket', (s: RalioSandbox) => s.mintTicket({ ttlMs: 1 }).ticket, 'ticket_expired', 410],
    [
      'scopes beyond the ceiling',
      (s: RalioSandbox) => s.mintTicket({ scopeCeiling: ['agents:execute'] }).ticket,
      'scope_exceeds_ticket_ceiling',
      422,
    ],
  ])('reports %s as RalioRegistrationError', async (_name, ticketFor, code, status) => {
    const ticket = ticketFor(sandbox)
    await new Promise((resolve) => setTimeout(resolve, 5))
    const error = await rejection(
      register({
        ticket,
        baseUrl: sandbox.url,
        credentialStore: new MemoryCredentialStore(),
        requestedScopes: ['agents:execute', 'transactions:read'],
      }),
    )
    expect(RalioRegistrationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code, statusCode: status })
  })

  it('deletes its key and fails when the server reports another fingerprint', async () => {
    sandbox.setRegistrationBehavior({ fingerprint: 'wrong' })
    const configDir = join(dir.path, 'ralio')
    const error = await rejection(
      register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir }),
    )
    expect(error.code).toBe('fingerprint_mismatch')
    expect(error.message).toMatch(/[Rr]evoke/)
    expect(await readdir(join(configDir, 'keys'))).toEqual([])
  })

  it('accepts a response without a fingerprint', async () => {
    sandbox.setRegistrationBehavior({ fingerprint: 'omitted' })
    const registration = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      credentialStore: new MemoryCredentialStore(),
    })
    expect(registration.clientId).toMatch(/^cb_/)
  })

  it('fails clearly against a server that still wants approval, keeping the key', async () => {
    sandbox.setRegistrationBehavior({ mode: 'pending-approval' })
    const configDir = join(dir.path, 'ralio')
    const error = await rejection(
      register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir }),
    )
    expect(error.code).toBe('approval_required')
    expect(error.keyPath).toEqual(expect.any(String))
    expect(await readdir(join(configDir, 'keys'))).toHaveLength(1)
  })

  it('refuses to overwrite existing credentials without spending the ticket', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const ticket = sandbox.mintTicket().ticket
    const error = await rejection(register({ ticket, baseUrl: sandbox.url, configDir }))
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect(error.message).toMatch(/overwrite: true/)
    const registration = await register({ ticket, baseUrl: sandbox.url, configDir, overwrite: true })
    const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
    expect(file).toMatchObject({ client_id: registration.clientId, created_by: 'ralio-python/0.1.4' })
  })

  it.each([
    [500, { detail: 'registration backend unavailable' }, 'internal_error'],
    [503, { detail: { error: 'maintenance', error_description: 'down for maintenance' } }, 'maintenance'],
    [
      400,
      { detail: { error: 'malformed_request', error_description: 'ticket is malformed' } },
      'malformed_request',
    ],
  ])(
    'reports any non-2xx registration answer (%i) as RalioRegistrationError with status, detail and code',
    async (status, body, code) => {
      const configDir = join(dir.path, `status-${status}`)
      sandbox.injectFault({ route: 'POST /api/credential-bindings/registrations', count: 5, status, body })
      try {
        const error = await rejection(
          register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir }),
        )
        expect(RalioRegistrationError.isInstance(error)).toBe(true)
        expect(error).toMatchObject({ statusCode: status })
        expect(error.code).toBe(code)
        expect(error.detail).toMatch(/unavailable|maintenance|malformed/)
        // A server error may have bound the key: it is kept. A refusal bound nothing: it is removed.
        const keys = await readdir(join(configDir, 'keys'))
        expect(keys).toHaveLength(status >= 500 ? 1 : 0)
      } finally {
        sandbox.clearFaults()
      }
    },
  )

  it('reports a failed first token as a registration error that says the binding was saved', async () => {
    const configDir = join(dir.path, 'ralio')
    sandbox.injectFault({
      route: 'POST /oauth/token',
      count: 5,
      status: 400,
      body: { error: 'invalid_request', error_description: 'token service offline' },
    })
    try {
      const error = await rejection(
        register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir }),
      )
      expect(RalioRegistrationError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'first_token_failed', statusCode: 400 })
      expect(error.message).toMatch(/^Registered cb_\w+ and saved its credentials/)
      expect((error as Error & { cause?: unknown }).cause).toMatchObject({ statusCode: 400 })
      const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
      expect(error.message).toContain(file.client_id)
    } finally {
      sandbox.clearFaults()
    }
  })

  it('needs a ticket: RalioConfigError naming RALIO_REGISTRATION_TICKET', async () => {
    const error = await rejection(
      register({ baseUrl: sandbox.url, credentialStore: new MemoryCredentialStore() }),
    )
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect(error.message).toMatch(/RALIO_REGISTRATION_TICKET/)
  })

  it('produces credentials a client in another configDir layout reads (Python fixture round trip)', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    // Register the fixture's own key, as the Python SDK would have, then point the file at that binding.
    const pem = await readFile(
      join(configDir, 'keys', 'FfbseoxwjJus_wKYHdSA7hCzG2DLDjsfEnjS9ggynrQ.pem'),
      'utf8',
    )
    const clientId = await bindExistingKey(sandbox.url, sandbox.mintTicket().ticket, pem)
    const path = join(configDir, 'credentials.json')
    const file = JSON.parse(await readFile(path, 'utf8'))
    await writeFile(path, JSON.stringify({ ...file, client_id: clientId }, null, 2), { mode: 0o600 })

    await using client = new RalioClient({ baseUrl: sandbox.url, configDir })
    expect(await client.agents.list()).toHaveLength(1)
    expect(client.clientId).toBe(clientId)
    // A running client leaves the shared file as the Python SDK wrote it.
    const saved = JSON.parse(await readFile(path, 'utf8'))
    expect(saved).toEqual({ ...file, client_id: clientId })
  })
})
