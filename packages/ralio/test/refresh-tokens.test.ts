import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CredentialStore } from '../src/credentials/credential-store.js'
import { FileCredentialStore } from '../src/credentials/file-credential-store.node.js'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioConfigError } from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'
import { importPemKey, temporaryDirectory } from './helpers.js'
import { type RalioSandbox, startSandbox } from './sandbox.js'

/** The form of every token request a client sent. */
function tokenRequests() {
  const forms: URLSearchParams[] = []
  const fetchRecording: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    if (new URL(request.url).pathname === '/oauth/token')
      forms.push(new URLSearchParams(await request.clone().text()))
    return fetch(request)
  }
  return { forms, fetch: fetchRecording }
}

describe('refresh tokens are per instance', () => {
  let sandbox: RalioSandbox
  let dir: { path: string; cleanup: () => Promise<void> }
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())
  beforeEach(async () => {
    dir = await temporaryDirectory()
  })
  afterEach(() => dir.cleanup())

  async function binding() {
    const store = new MemoryCredentialStore()
    const { clientId } = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      credentialStore: store,
    })
    return { clientId, pem: (await store.load()).privateKeyPem! }
  }

  it('plugs in a store written for the official Node SDK and continues its token family', async () => {
    const { clientId, pem } = await binding()
    let current: string | null = null
    const saved: (string | null)[] = []
    // Exactly the official interface: load() + saveRefreshToken(token | null), nothing else.
    const store: CredentialStore = {
      async load() {
        return { clientId, privateKeyPem: pem, refreshToken: current }
      },
      async saveRefreshToken(refreshToken) {
        saved.push(refreshToken)
        current = refreshToken
      },
    }
    const before = sandbox.stats().familyRevocations
    {
      await using first = await RalioClient.create({ baseUrl: sandbox.url, credentialStore: store })
      expect(await first.agents.list()).toHaveLength(1)
    }
    expect(saved).toEqual([expect.any(String)])
    const recorded = tokenRequests()
    await using second = await RalioClient.create({
      baseUrl: sandbox.url,
      credentialStore: store,
      fetch: recorded.fetch,
    })
    expect(await second.agents.list()).toHaveLength(1)
    // The restarted instance refreshed the family it had, instead of minting a new one.
    expect(recorded.forms.map((form) => [form.get('grant_type'), form.get('refresh_token')])).toEqual([
      ['refresh_token', saved[0]],
    ])
    expect(saved).toHaveLength(2)
    expect(saved[1]).not.toBe(saved[0])
    expect(sandbox.stats().familyRevocations).toBe(before)
  })

  it('takes the key as a private JWK, as official stores may return it', async () => {
    const { clientId, pem } = await binding()
    const key = await importPemKey(pem)
    const privateJwk = await crypto.subtle.exportKey('jwk', key)
    const store: CredentialStore = {
      load: async () => ({ clientId, privateJwk }),
      saveRefreshToken: async () => {},
    }
    await using client = new RalioClient({ baseUrl: sandbox.url, credentialStore: store })
    expect(await client.agents.list()).toHaveLength(1)
  })

  it('tells the store to forget a refused refresh token, then mints', async () => {
    const { clientId, pem } = await binding()
    const saved: (string | null)[] = []
    const store: CredentialStore = {
      load: async () => ({ clientId, privateKeyPem: pem, refreshToken: 'rt-from-a-revoked-family' }),
      saveRefreshToken: async (refreshToken) => void saved.push(refreshToken),
    }
    await using client = new RalioClient({ baseUrl: sandbox.url, credentialStore: store })
    expect(await client.agents.list()).toHaveLength(1)
    expect(saved).toEqual([null, expect.any(String)])
  })

  it('keeps its refresh token in refreshTokenPath (mode 0600) and resumes from it after a restart', async () => {
    const configDir = join(dir.path, 'ralio')
    await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir })
    const credentials = await readFile(join(configDir, 'credentials.json'), 'utf8')
    const refreshTokenPath = join(dir.path, 'state', 'worker-1.refresh-token')
    {
      await using client = new RalioClient({ baseUrl: sandbox.url, configDir, refreshTokenPath })
      // The token register() stored is reused, so force this instance's own mint.
      sandbox.revokeTokens()
      await client.agents.list()
    }
    const kept = (await readFile(refreshTokenPath, 'utf8')).trim()
    expect(kept).not.toBe('')
    expect((await stat(refreshTokenPath)).mode & 0o777).toBe(0o600)
    const recorded = tokenRequests()
    await using restarted = new RalioClient({
      baseUrl: sandbox.url,
      configDir,
      refreshTokenPath,
      fetch: recorded.fetch,
    })
    sandbox.setTokenLifetime(1800)
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 60 * 60_000)
      await restarted.agents.list()
    } finally {
      vi.useRealTimers()
    }
    expect(recorded.forms.map((form) => form.get('refresh_token'))).toEqual([kept])
    expect((await readFile(refreshTokenPath, 'utf8')).trim()).not.toBe(kept)
    // The shared file is never touched by a running client.
    expect(await readFile(join(configDir, 'credentials.json'), 'utf8')).toBe(credentials)
  })

  it('reads and rewrites the Python SDK refresh-token file format, and names slots as Python does', async () => {
    const configDir = join(dir.path, 'ralio')
    await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir })
    const slotStore = new FileCredentialStore({ configDir, refreshTokenSlot: 'worker 1/a' })
    await slotStore.saveRefreshToken('rt-slot')
    const slotPath = join(configDir, 'refresh-tokens', 'worker_1_a.json')
    expect(JSON.parse(await readFile(slotPath, 'utf8'))).toEqual({ refresh_token: 'rt-slot' })
    expect((await slotStore.load())?.refreshToken).toBe('rt-slot')

    const pythonPath = join(dir.path, 'python-written.json')
    await writeFile(pythonPath, `${JSON.stringify({ refresh_token: 'rt-python' }, null, 2)}\n`, {
      mode: 0o600,
    })
    const pathStore = new FileCredentialStore({ configDir, refreshTokenPath: pythonPath })
    expect((await pathStore.load())?.refreshToken).toBe('rt-python')
    await pathStore.saveRefreshToken('rt-next')
    expect(JSON.parse(await readFile(pythonPath, 'utf8'))).toEqual({ refresh_token: 'rt-next' })
    await pathStore.saveRefreshToken(null)
    await expect(stat(pythonPath)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('never hands the refresh_token in credentials.json to a client', async () => {
    const configDir = join(dir.path, 'ralio')
    await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir })
    const path = join(configDir, 'credentials.json')
    const file = JSON.parse(await readFile(path, 'utf8'))
    await writeFile(
      path,
      JSON.stringify({ ...file, refresh_token: 'rt-someone-elses', access_token: 'x', obtained_at: 0 }),
      {
        mode: 0o600,
      },
    )
    const recorded = tokenRequests()
    await using client = new RalioClient({ baseUrl: sandbox.url, configDir, fetch: recorded.fetch })
    await client.agents.list()
    expect(recorded.forms.map((form) => form.get('grant_type'))).toEqual(['client_credentials'])
  })

  it('lets several clients on one folder refresh only their own families', async () => {
    const configDir = join(dir.path, 'ralio')
    await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir })
    const clients = [0, 1, 2].map(() => new RalioClient({ baseUrl: sandbox.url, configDir }))
    try {
      sandbox.revokeTokens()
      await Promise.all(clients.map((client) => client.agents.list()))
      const before = sandbox.stats()
      vi.useFakeTimers({ toFake: ['Date'] })
      try {
        vi.setSystemTime(Date.now() + 28 * 60_000)
        await Promise.all(clients.map((client) => client.transactions.list()))
      } finally {
        vi.useRealTimers()
      }
      const after = sandbox.stats()
      expect(after.refreshes - before.refreshes).toBe(3)
      expect(after.familyRevocations).toBe(before.familyRevocations)
    } finally {
      for (const client of clients) client.close()
    }
  })

  it('refuses refreshTokenPath next to a custom store', () => {
    expect(
      () =>
        new RalioClient({
          credentialStore: new MemoryCredentialStore(),
          refreshTokenPath: join(dir.path, 'rt'),
        }),
    ).toThrow(RalioConfigError)
  })
})

describe('RalioClient.create() and dispose', () => {
  let sandbox: RalioSandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())

  it('create() loads the binding up front and fails there when there is none', async () => {
    const dir = await temporaryDirectory()
    try {
      const error = await RalioClient.create({ baseUrl: sandbox.url, configDir: dir.path }).catch(
        (caught: unknown) => caught,
      )
      expect(RalioConfigError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'credentials_missing' })
      await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir: dir.path })
      await using client = await RalioClient.create({ baseUrl: sandbox.url, configDir: dir.path })
      expect(client.clientId).toMatch(/^cb_/)
    } finally {
      await dir.cleanup()
    }
  })

  it('closes on a synchronous `using` scope exit', async () => {
    const store = new MemoryCredentialStore()
    await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, credentialStore: store })
    let escaped: RalioClient
    {
      using client = new RalioClient({ baseUrl: sandbox.url, credentialStore: store })
      expect(await client.agents.list()).toHaveLength(1)
      escaped = client
    }
    await expect(escaped.agents.list()).rejects.toThrow(/closed/)
  })
})
