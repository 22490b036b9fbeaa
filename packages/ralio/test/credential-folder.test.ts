import { spawnSync } from 'node:child_process'
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { generateSigningKey } from '../src/auth/signing-key.js'
import { FileCredentialStore } from '../src/credentials/file-credential-store.node.js'
import { RalioConfigError } from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'
import { bindExistingKey, recordingLogger, temporaryDirectory } from './helpers.js'
import { type RalioSandbox, startSandbox } from './sandbox.js'

/**
 * `credentials.json` exactly as the official Python SDK's register() writes it through
 * `LocalCredentialStore.save_credentials`: the token extras first, then client_id,
 * key_jkt (when it knows one), key_path as given, refresh_token; `json.dumps(indent=2)`
 * and a newline; `obtained_at` is `time.time()`, a float.
 */
function pythonCredentialsJson(fields: {
  clientId: string
  keyPath: string
  keyJkt?: string
  obtainedAt: number
  accessToken?: string
}): string {
  const payload: Record<string, unknown> = {
    access_token: fields.accessToken ?? 'python-access-token',
    expires_in: 1800,
    obtained_at: fields.obtainedAt,
    scope: 'agents:execute transactions:read',
    auth_method: 'private_key_jwt',
    client_id: fields.clientId,
  }
  if (fields.keyJkt !== undefined) payload.key_jkt = fields.keyJkt
  payload.key_path = fields.keyPath
  payload.refresh_token = 'python-instance-refresh-token'
  return `${JSON.stringify(payload, null, 2)}\n`
}

async function writeSecret(path: string, contents: string): Promise<void> {
  await mkdir(resolve(path, '..'), { recursive: true, mode: 0o700 })
  await writeFile(path, contents, { mode: 0o600 })
  await chmod(path, 0o600)
}

const python = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' })
const pythonReason =
  python.error !== undefined
    ? 'python3 is not installed'
    : python.status !== 0
      ? 'python3 has no cryptography package'
      : undefined

function runPython(script: string, options: { cwd: string; args?: string[] }): string {
  const result = spawnSync('python3', ['-c', script, ...(options.args ?? [])], {
    cwd: options.cwd,
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`)
  return result.stdout
}

describe('credential folders shared with the official SDKs', () => {
  let sandbox: RalioSandbox
  let dir: { path: string; cleanup: () => Promise<void> }
  const workingDirectory = process.cwd()
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())
  beforeEach(async () => {
    dir = await temporaryDirectory()
  })
  afterEach(async () => {
    process.chdir(workingDirectory)
    await dir.cleanup()
  })

  async function pythonFolder(keyPathAsWritten: (configDir: string) => string, withJkt: boolean) {
    const configDir = join(dir.path, 'ralio')
    const { key, pem } = await generateSigningKey()
    const clientId = await bindExistingKey(sandbox.url, sandbox.mintTicket().ticket, pem)
    const keyPath = keyPathAsWritten(configDir)
    await writeSecret(resolve(dir.path, keyPath), pem)
    await writeSecret(
      join(configDir, 'credentials.json'),
      pythonCredentialsJson({
        clientId,
        keyPath,
        ...(withJkt ? { keyJkt: key.jkt } : {}),
        obtainedAt: Date.now() / 1000 - 3600.25,
      }),
    )
    return { configDir, clientId, jkt: key.jkt }
  }

  it('reads a relative key_path from the working directory, as Python does, without key_jkt', async () => {
    process.chdir(dir.path)
    const { configDir, clientId } = await pythonFolder(() => 'host-keys/ralio.pem', false)
    await using client = new RalioClient({ baseUrl: sandbox.url, configDir })
    expect(await client.agents.list()).toHaveLength(1)
    expect(client.clientId).toBe(clientId)
  })

  it('reads an absolute key_path without key_jkt, computing the thumbprint from the key', async () => {
    const { configDir, jkt } = await pythonFolder((folder) => join(folder, 'keys', 'custom.pem'), false)
    const credentials = await new FileCredentialStore({ configDir }).load()
    expect(credentials.kid).toBe(jkt)
    await using client = await RalioClient.create({ baseUrl: sandbox.url, configDir })
    expect(await client.agents.list()).toHaveLength(1)
    const { importSigningKey } = await import('../src/auth/signing-key.js')
    expect((await importSigningKey(credentials.privateKeyPem!)).jkt).toBe(jkt)
  })

  it('reads a float obtained_at and reuses a still-valid access token the Python SDK stored', async () => {
    const { configDir } = await pythonFolder((folder) => join(folder, 'keys', 'k.pem'), true)
    // A real token for the binding, stored as Python stores it (time.time() is a float).
    const path = join(configDir, 'credentials.json')
    const file = JSON.parse(await readFile(path, 'utf8'))
    const { accessToken } = await freshAccessToken(configDir)
    const before = sandbox.stats().tokenRequests
    await writeFile(
      path,
      pythonCredentialsJson({
        clientId: file.client_id,
        keyPath: file.key_path,
        keyJkt: file.key_jkt,
        obtainedAt: Date.now() / 1000 - 0.5,
        accessToken,
      }),
    )
    const loaded = await new FileCredentialStore({ configDir }).load()
    expect(Number.isInteger(loaded?.tokens?.obtainedAt)).toBe(false)
    await using client = new RalioClient({ baseUrl: sandbox.url, configDir })
    expect(await client.agents.list()).toHaveLength(1)
    // No token request: the stored one is fresh.
    expect(sandbox.stats().tokenRequests).toBe(before)
  })

  /** Mints one token for the folder's binding through the SDK and returns it. */
  async function freshAccessToken(configDir: string): Promise<{ accessToken: string }> {
    let accessToken = ''
    const capture: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      const url = input instanceof Request ? input.url : String(input)
      if (url.endsWith('/oauth/token') && response.ok)
        accessToken = ((await response.clone().json()) as { access_token: string }).access_token
      return response
    }
    await using client = new RalioClient({ baseUrl: sandbox.url, configDir, fetch: capture })
    await client.agents.list()
    return { accessToken }
  }

  it('writes an absolute key_path for a relative configDir and privateKeyPath', async () => {
    process.chdir(dir.path)
    const registration = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      configDir: 'cfg',
    })
    const file = JSON.parse(await readFile(join(dir.path, 'cfg', 'credentials.json'), 'utf8'))
    expect(file.key_path).toBe(join(dir.path, 'cfg', 'keys', `${registration.jkt}.pem`))
    const custom = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      configDir: 'cfg2',
      privateKeyPath: 'own-keys/agent.pem',
    })
    expect(custom.keyPath).toBe(join(dir.path, 'own-keys', 'agent.pem'))
    // Read from anywhere: the recorded paths don't depend on the working directory.
    process.chdir(workingDirectory)
    for (const configDir of ['cfg', 'cfg2']) {
      await using client = new RalioClient({ baseUrl: sandbox.url, configDir: join(dir.path, configDir) })
      expect(await client.agents.list()).toHaveLength(1)
    }
  })

  it.skipIf(pythonReason !== undefined)(
    `reads a folder written by real Python code with the official layout${pythonReason ? ` (skipped: ${pythonReason})` : ''}`,
    async () => {
      process.chdir(dir.path)
      // Step 1: the key, as ralio._crypto.save_private_key writes it (PKCS#8 PEM).
      const pem = runPython(
        `import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = ec.generate_private_key(ec.SECP256R1())
sys.stdout.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())`,
        { cwd: dir.path },
      )
      const clientId = await bindExistingKey(sandbox.url, sandbox.mintTicket().ticket, pem)
      // Step 2: the folder, as register() + LocalCredentialStore write it: key_path relative, no key_jkt.
      runPython(
        `import json, os, sys, time
from pathlib import Path
config_dir, client_id, pem = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
key_path = Path("py-keys") / "agent.pem"
key_path.parent.mkdir(parents=True, exist_ok=True)
key_path.write_text(pem)
os.chmod(key_path, 0o600)
payload = {"access_token": "expired", "expires_in": 1800, "obtained_at": time.time() - 7200,
           "scope": "agents:execute", "auth_method": "private_key_jwt"}
payload["client_id"] = client_id
payload["key_path"] = str(key_path)
config_dir.mkdir(parents=True, exist_ok=True)
os.chmod(config_dir, 0o700)
(config_dir / "credentials.json").write_text(json.dumps(payload, indent=2) + "\\n")
os.chmod(config_dir / "credentials.json", 0o600)`,
        { cwd: dir.path, args: ['ralio', clientId, pem] },
      )
      await using client = new RalioClient({ baseUrl: sandbox.url, configDir: join(dir.path, 'ralio') })
      expect(await client.agents.list()).toHaveLength(1)
      expect(client.clientId).toBe(clientId)
    },
  )

  it.skipIf(pythonReason !== undefined)(
    `writes a folder the Python SDK's rules read from another working directory${pythonReason ? ` (skipped: ${pythonReason})` : ''}`,
    async () => {
      process.chdir(dir.path)
      const registration = await register({
        ticket: sandbox.mintTicket().ticket,
        baseUrl: sandbox.url,
        configDir: 'ralio',
        privateKeyPath: 'keys-here/agent.pem',
      })
      const elsewhere = join(dir.path, 'elsewhere')
      await mkdir(elsewhere)
      // ralio.client._resolve_credentials and ralio._crypto, verbatim in what they do.
      const output = runPython(
        `import base64, hashlib, json, sys
from pathlib import Path
from cryptography.hazmat.primitives import serialization
stored = json.loads((Path(sys.argv[1]) / "credentials.json").read_text())
key_path = Path(stored["key_path"]) if stored.get("key_path") else Path(sys.argv[1]) / "keys" / (stored["key_jkt"] + ".pem")
key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
numbers = key.public_key().public_numbers()
b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
jwk = {"crv": "P-256", "kty": "EC", "x": b64(numbers.x.to_bytes(32, "big")), "y": b64(numbers.y.to_bytes(32, "big"))}
jkt = b64(hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode("ascii")).digest())
print(json.dumps({"client_id": stored["client_id"], "jkt": jkt, "key_jkt": stored.get("key_jkt")}))`,
        { cwd: elsewhere, args: [join(dir.path, 'ralio')] },
      )
      expect(JSON.parse(output)).toEqual({
        client_id: registration.clientId,
        jkt: registration.jkt,
        key_jkt: registration.jkt,
      })
    },
  )

  it('refuses an existing privateKeyPath with key_exists, keeping the file and the ticket', async () => {
    const keyPath = join(dir.path, 'live.pem')
    await writeSecret(keyPath, 'the live key')
    const ticket = sandbox.mintTicket().ticket
    const error = await register({
      ticket,
      baseUrl: sandbox.url,
      configDir: join(dir.path, 'ralio'),
      privateKeyPath: keyPath,
    }).catch((caught: unknown) => caught)
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'key_exists' })
    expect((error as Error).message).toContain(keyPath)
    expect((error as Error).message).toMatch(/overwrite: true/)
    expect(await readFile(keyPath, 'utf8')).toBe('the live key')
    // The ticket was not spent.
    const registration = await register({
      ticket,
      baseUrl: sandbox.url,
      configDir: join(dir.path, 'ralio'),
      privateKeyPath: keyPath,
      overwrite: true,
    })
    expect(registration.keyPath).toBe(keyPath)
    expect(await readFile(keyPath, 'utf8')).toMatch(/BEGIN PRIVATE KEY/)
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(join(dir.path, 'ralio', 'credentials.json'), 'utf8')).key_path).toBe(
      keyPath,
    )
    expect((await readdir(dir.path)).filter((name) => name.startsWith('live.pem.'))).toEqual([])
  })

  it('keeps the key overwrite: true was to replace when the server refuses the registration', async () => {
    const keyPath = join(dir.path, 'live.pem')
    await writeSecret(keyPath, 'the live key')
    const error = await register({
      ticket: 'ralio-reg-unknown',
      baseUrl: sandbox.url,
      configDir: join(dir.path, 'ralio'),
      privateKeyPath: keyPath,
      overwrite: true,
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'invalid_ticket' })
    expect(await readFile(keyPath, 'utf8')).toBe('the live key')
    expect((await readdir(dir.path)).filter((name) => name.startsWith('live.pem.'))).toEqual([])
  })

  it('deletes only the key it wrote when the server refuses the registration', async () => {
    const configDir = join(dir.path, 'ralio')
    const other = join(configDir, 'keys', 'someone-else.pem')
    await writeSecret(other, 'not ours')
    const keyPath = join(dir.path, 'new.pem')
    const error = await register({
      ticket: 'ralio-reg-unknown',
      baseUrl: sandbox.url,
      configDir,
      privateKeyPath: keyPath,
    }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'invalid_ticket' })
    await expect(stat(keyPath)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await readFile(other, 'utf8')).toBe('not ours')
  })

  it('turns a file-system failure into RalioConfigError naming the path', async () => {
    const blocked = join(dir.path, 'blocked')
    await writeFile(blocked, 'a file where the folder should be')
    const error = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      configDir: join(blocked, 'ralio'),
    }).catch((caught: unknown) => caught)
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain(blocked)
    expect((error as Error).message).toMatch(/remove or rename it|check the path/)

    const unreadable = join(dir.path, 'odd')
    await mkdir(join(unreadable, 'credentials.json'), { recursive: true })
    const readError = await new FileCredentialStore({ configDir: unreadable })
      .load()
      .catch((caught: unknown) => caught)
    expect(readError).toMatchObject({ code: 'credentials_unreadable' })
    expect((readError as Error).message).toContain(join(unreadable, 'credentials.json'))
  })

  it.skipIf(process.getuid?.() === 0)(
    'reports a key owned by another user as permission denied, with the fix (skipped as root: root reads everything)',
    async () => {
      const keyPath = join(dir.path, 'locked.pem')
      await writeSecret(keyPath, 'x')
      await chmod(keyPath, 0o000)
      const { readPrivateKeyFile } = await import('../src/credentials/file-credential-store.node.js')
      const error = await readPrivateKeyFile(keyPath).catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'private_key_unreadable' })
      expect((error as Error).message).toMatch(/permission denied.*chown\/chmod/)
    },
  )

  it('warns through the logger when credentials.json is readable by group or others', async () => {
    const { configDir } = await pythonFolder((folder) => join(folder, 'keys', 'k.pem'), true)
    const path = join(configDir, 'credentials.json')
    await chmod(path, 0o644)
    const { logger, records } = recordingLogger()
    const store = new FileCredentialStore({ configDir, logger })
    await store.load()
    await store.load()
    expect(records.filter((record) => record.level === 'warn')).toEqual([
      { level: 'warn', message: expect.stringContaining(`chmod 600 ${path}`) },
    ])
    await chmod(path, 0o600)
    const quiet = recordingLogger()
    await new FileCredentialStore({ configDir, logger: quiet.logger }).load()
    expect(quiet.records).toEqual([])
  })
})
