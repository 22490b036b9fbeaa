import { execFileSync } from 'node:child_process'
import { chmod, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateSigningKey, importSigningKey } from '../src/auth/signing-key.js'
import { FileCredentialStore, readPrivateKeyFile } from '../src/credentials/file-credential-store.node.js'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioConfigError } from '../src/errors.js'
import { copyPythonFixture, pythonFixtureJkt, recordingLogger, temporaryDirectory } from './helpers.js'

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
      kid: pythonFixtureJkt,
      tokens: {
        accessToken: 'expired-python-access-token',
        refreshToken: 'python-refresh-token',
        expiresIn: 1800,
        obtainedAt: 1700000000,
        scope: 'agents:execute transactions:read',
      },
    })
    expect((await importSigningKey(credentials.privateKeyPem!)).jkt).toBe(pythonFixtureJkt)
  })

  it('returns {} when no credentials exist, as the official contract has it', async () => {
    expect(await new FileCredentialStore({ configDir: join(dir.path, 'none') }).load()).toEqual({})
  })

  it('writes the shared layout with modes 0700 / 0600 and no temp files left', async () => {
    const configDir = join(dir.path, 'fresh')
    const store = new FileCredentialStore({ configDir })
    const { key, pem } = await generateSigningKey()
    await store.saveCredentials({ clientId: 'cb_1', kid: key.jkt, privateKeyPem: pem })
    const keyPath = store.keyPathOf(key.jkt)
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
      .saveCredentials({ clientId: 'cb_2', kid: key.jkt, privateKeyPem: pem })
      .catch((caught: unknown) => caught)
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/overwrite: true/)
    await store.saveCredentials({ clientId: 'cb_2', kid: key.jkt, privateKeyPem: pem }, { overwrite: true })
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

  it('refuses a key file writable by group or others, giving the exact chmod fix', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const keyPath = join(configDir, 'keys', `${pythonFixtureJkt}.pem`)
    for (const mode of [0o620, 0o602, 0o666]) {
      await chmod(keyPath, mode)
      const error = await new FileCredentialStore({ configDir }).load().catch((caught: unknown) => caught)
      expect(RalioConfigError.isInstance(error)).toBe(true)
      expect((error as RalioConfigError).code).toBe('private_key_permissions')
      expect((error as Error).message).toContain(`chmod 600 ${keyPath}`)
      expect((error as Error).message).not.toContain('PRIVATE KEY')
    }
  })

  it('loads a key readable by group or others (a Kubernetes secret volume, 0644) with one warning', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const keyPath = join(configDir, 'keys', `${pythonFixtureJkt}.pem`)
    await chmod(keyPath, 0o644)
    const { logger, records } = recordingLogger()
    const store = new FileCredentialStore({ configDir, logger })
    expect((await store.load()).kid).toBe(pythonFixtureJkt)
    await store.load()
    expect(records).toEqual([
      { level: 'warn', message: expect.stringContaining(`readable by group or others (mode 0644)`) },
    ])
    expect(records[0]!.message).toContain(`chmod 600 ${keyPath}`)
    expect(records[0]!.message).not.toContain('PRIVATE KEY')
  })

  it('refuses a key or credentials file that is not a regular file at once (a FIFO never hangs load())', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    const keyPath = join(configDir, 'keys', `${pythonFixtureJkt}.pem`)
    await rm(keyPath)
    execFileSync('mkfifo', ['-m', '600', keyPath])
    const keyError = await new FileCredentialStore({ configDir }).load().catch((caught: unknown) => caught)
    expect(keyError).toMatchObject({ code: 'private_key_unreadable' })
    expect((keyError as Error).message).toContain(`${keyPath}: it is not a regular file (a named pipe)`)

    const credentialsPath = join(configDir, 'credentials.json')
    await rm(credentialsPath)
    execFileSync('mkfifo', ['-m', '600', credentialsPath])
    const fileError = await new FileCredentialStore({ configDir }).load().catch((caught: unknown) => caught)
    expect(fileError).toMatchObject({ code: 'credentials_unreadable' })
  })

  it('fails with the reason when key_path holds no key', async () => {
    const configDir = join(dir.path, 'ralio')
    await copyPythonFixture(configDir)
    await writeFile(join(configDir, 'keys', `${pythonFixtureJkt}.pem`), 'not a key\n', { mode: 0o600 })
    const error = await new FileCredentialStore({ configDir }).load().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'private_key_invalid' })
    expect((error as Error).message).toMatch(/holds no usable private key/)
  })

  it('tightens an existing config folder that group or others can reach to 0700, and says so', async () => {
    const configDir = join(dir.path, 'open')
    await mkdir(configDir, { mode: 0o755 })
    await chmod(configDir, 0o755)
    const { logger, records } = recordingLogger()
    const store = new FileCredentialStore({ configDir, logger })
    const { key, pem } = await generateSigningKey()
    await store.saveCredentials({ privateKeyPem: pem, kid: key.jkt })
    expect(await mode(configDir)).toBe(0o700)
    expect(records).toEqual([{ level: 'warn', message: expect.stringContaining('tightened it to 0700') }])
  })

  it('never writes a key through a keys/ symlink', async () => {
    const configDir = join(dir.path, 'linked')
    const elsewhere = join(dir.path, 'elsewhere')
    await mkdir(configDir, { mode: 0o700 })
    await mkdir(elsewhere, { mode: 0o700 })
    await symlink(elsewhere, join(configDir, 'keys'))
    const store = new FileCredentialStore({ configDir })
    const { key, pem } = await generateSigningKey()
    const error = await store
      .saveCredentials({ privateKeyPem: pem, kid: key.jkt })
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'unsafe_key_folder' })
    expect(await readdir(elsewhere)).toEqual([])
  })

  it('checks a kid or publicJwk saved with the key against the key', async () => {
    const store = new FileCredentialStore({ configDir: join(dir.path, 'checked') })
    const { pem } = await generateSigningKey()
    const other = await generateSigningKey()
    await expect(store.saveCredentials({ privateKeyPem: pem, kid: other.key.jkt })).rejects.toMatchObject({
      code: 'key_mismatch',
    })
    await expect(
      store.saveCredentials({ privateKeyPem: pem, publicJwk: { ...other.key.publicJwk } }),
    ).rejects.toMatchObject({ code: 'key_mismatch' })
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
    expect(await store.load()).toEqual({})
    await store.saveCredentials({ clientId: 'cb_m', kid: key.jkt, privateKeyPem: pem })
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
    await expect(
      store.saveCredentials({ clientId: 'cb_n', kid: key.jkt, privateKeyPem: pem }),
    ).rejects.toThrow(/overwrite: true/)
  })
})
