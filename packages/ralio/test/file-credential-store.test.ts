import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateSigningKey, importSigningKey } from '../src/auth/signing-key.js'
import { FileCredentialStore, readPrivateKeyFile } from '../src/credentials/file-credential-store.node.js'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioConfigError } from '../src/errors.js'
import { copyPythonFixture, pythonFixtureJkt, temporaryDirectory } from './helpers.js'

const mode = async (path: string) => (await stat(path)).mode & 0o777

describe('FileCredentialStore', () => {
  let dir: { path: string; cleanup: () => Promise<void> }
  beforeEach(async () => {
    dir = await temporaryDirectory()
  })
  afterEach(() => dir.cleanup())

  it('loads credentials written by the Python SDK, key from keys/<key_jkt>.pem', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const credentials = await new FileCredentialStore({ configDir }).load()
    expect(credentials).toMatchObject({
      clientId: 'cb_python_fixture',
      jkt: pythonFixtureJkt,
      tokens: {
        accessToken: 'expired-python-access-token',
        refreshToken: 'python-refresh-token',
        expiresIn: 1800,
        obtainedAt: 1700000000,
        scope: 'agents:execute transactions:read',
      },
    })
    expect((await importSigningKey(credentials!.privateKey!)).jkt).toBe(pythonFixtureJkt)
  })

  it('returns undefined when no credentials exist', async () => {
    expect(await new FileCredentialStore({ configDir: join(dir.path, 'none') }).load()).toBeUndefined()
  })

  it('writes the shared layout with modes 0700 / 0600 and no temp files left', async () => {
    const configDir = join(dir.path, 'fresh')
    const store = new FileCredentialStore({ configDir })
    const { key, pem } = await generateSigningKey()
    const { keyPath } = await store.saveCredentials({ clientId: 'cb_1', jkt: key.jkt, privateKey: pem })
    expect(keyPath).toBe(join(configDir, 'keys', `${key.jkt}.pem`))
    expect(await mode(configDir)).toBe(0o700)
    expect(await mode(join(configDir, 'keys'))).toBe(0o700)
    expect(await mode(keyPath!)).toBe(0o600)
    expect(await mode(join(configDir, 'credentials.json'))).toBe(0o600)
    expect(JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))).toEqual({
      client_id: 'cb_1',
      key_jkt: key.jkt,
      key_path: keyPath,
      auth_method: 'private_key_jwt',
    })
    expect((await readdir(configDir)).filter((name) => name.endsWith('.tmp'))).toEqual([])
    expect(await readFile(keyPath!, 'utf8')).toBe(pem)
  })

  it("keeps unknown fields and the file's own refresh_token when recording an access token", async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const store = new FileCredentialStore({ configDir })
    await store.saveAccessToken({
      accessToken: 'new-access',
      expiresIn: 900,
      obtainedAt: 1800000000,
      scope: 'agents:execute',
    })
    const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
    expect(file).toEqual({
      client_id: 'cb_python_fixture',
      key_jkt: pythonFixtureJkt,
      access_token: 'new-access',
      refresh_token: 'python-refresh-token',
      expires_in: 900,
      obtained_at: 1800000000,
      scope: 'agents:execute',
      auth_method: 'private_key_jwt',
      api_url: 'https://api.ralio.co',
      created_by: 'ralio-python/0.1.4',
    })
    expect(await mode(join(configDir, 'credentials.json'))).toBe(0o600)
  })

  it('serialises concurrent access-token saves so the file stays valid JSON', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const store = new FileCredentialStore({ configDir })
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.saveAccessToken({ accessToken: `a${index}`, obtainedAt: index }),
      ),
    )
    const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
    expect(file.access_token).toBe('a19')
    expect(file.created_by).toBe('ralio-python/0.1.4')
  })

  it('refuses to overwrite existing credentials unless asked', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const store = new FileCredentialStore({ configDir })
    const { key, pem } = await generateSigningKey()
    const error = await store
      .saveCredentials({ clientId: 'cb_2', jkt: key.jkt, privateKey: pem })
      .catch((caught: unknown) => caught)
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/overwrite: true/)
    await store.saveCredentials({ clientId: 'cb_2', jkt: key.jkt, privateKey: pem }, { overwrite: true })
    const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
    expect(file).toMatchObject({ client_id: 'cb_2', key_jkt: key.jkt, created_by: 'ralio-python/0.1.4' })
    expect(file).not.toHaveProperty('refresh_token')
  })

  it('resolves a relative key_path against the config directory', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
    await writeFile(
      join(configDir, 'credentials.json'),
      JSON.stringify({ ...file, key_path: `keys/${pythonFixtureJkt}.pem` }),
      { mode: 0o600 },
    )
    expect((await new FileCredentialStore({ configDir }).load())?.clientId).toBe('cb_python_fixture')
  })

  it('refuses a key file readable by group or others, giving the exact chmod fix', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const keyPath = join(configDir, 'keys', `${pythonFixtureJkt}.pem`)
    await chmod(keyPath, 0o644)
    const error = await new FileCredentialStore({ configDir }).load().catch((caught: unknown) => caught)
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect((error as RalioConfigError).code).toBe('private_key_permissions')
    expect((error as Error).message).toContain(`chmod 600 ${keyPath}`)
    expect((error as Error).message).not.toContain('PRIVATE KEY')
  })

  it('reports a missing key file and broken JSON as configuration errors', async () => {
    await expect(readPrivateKeyFile(join(dir.path, 'nope.pem'))).rejects.toThrow(/does not exist/)
    const configDir = join(dir.path, 'broken')
    await copyPythonFixture(configDir)
    await writeFile(join(configDir, 'credentials.json'), '{ not json', { mode: 0o600 })
    await expect(new FileCredentialStore({ configDir }).load()).rejects.toThrow(/not valid JSON/)
  })

  it('shows only its directory when inspected or serialised', async () => {
    const configDir = join(dir.path, 'ralio')
    const store = new FileCredentialStore({ configDir })
    expect(inspect(store)).toBe(`FileCredentialStore { configDir: '${configDir}' }`)
    expect(JSON.stringify(store)).toBe(JSON.stringify({ configDir }))
  })
})

describe('MemoryCredentialStore', () => {
  it('keeps credentials and the access token in memory and never prints the key', async () => {
    const { key, pem } = await generateSigningKey()
    const store = new MemoryCredentialStore()
    expect(await store.load()).toBeUndefined()
    await store.saveCredentials({ clientId: 'cb_m', jkt: key.jkt, privateKey: pem })
    await store.saveAccessToken({ accessToken: 'secret-access', refreshToken: 'secret-refresh' })
    await store.saveRefreshToken('secret-refresh')
    const loaded = await store.load()
    expect(loaded).toMatchObject({ clientId: 'cb_m', tokens: { accessToken: 'secret-access' } })
    // Rotated refresh tokens belong to the client that rotated them, never to the next loader.
    expect(loaded?.refreshToken).toBeUndefined()
    expect(loaded?.tokens?.refreshToken).toBeUndefined()
    const printed = `${inspect(store)} ${JSON.stringify(store)}`
    expect(printed).toContain('cb_m')
    expect(printed).not.toMatch(/secret|PRIVATE KEY/)
    await expect(store.saveCredentials({ clientId: 'cb_n', jkt: key.jkt, privateKey: pem })).rejects.toThrow(
      /overwrite: true/,
    )
  })
})
