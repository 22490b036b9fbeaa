import { chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const pythonFixtureDir = fileURLToPath(new URL('./fixtures/python-credentials', import.meta.url))
export const pythonFixtureJkt = 'FfbseoxwjJus_wKYHdSA7hCzG2DLDjsfEnjS9ggynrQ'

/** A fresh private directory, removed by the returned cleanup. */
export async function temporaryDirectory(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'ralio-test-'))
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) }
}

/**
 * Copies the Python-layout fixture into `target` with the modes the Python SDK sets
 * (git keeps no modes beyond the executable bit).
 */
export async function copyPythonFixture(target: string): Promise<void> {
  await cp(pythonFixtureDir, target, { recursive: true })
  await chmod(target, 0o700)
  await chmod(join(target, 'keys'), 0o700)
  await chmod(join(target, 'credentials.json'), 0o600)
  for (const file of await readdir(join(target, 'keys'))) await chmod(join(target, 'keys', file), 0o600)
}

/** A PKCS#8 PEM P-256 key as an extractable WebCrypto key. */
export function importPemKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'pkcs8',
    Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'),
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['sign'],
  )
}

/** Binds an existing key in the sandbox (as another SDK's register() would have), returning its client id. */
export async function bindExistingKey(baseUrl: string, ticket: string, pem: string): Promise<string> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', await importPemKey(pem))
  const response = await fetch(`${baseUrl}/api/credential-bindings/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticket, public_key_jwk: { kty, crv, x, y } }),
  })
  if (!response.ok) throw new Error(`binding the key failed: HTTP ${response.status}`)
  return ((await response.json()) as { client_id: string }).client_id
}

/** The records a logger received, by level. */
export function recordingLogger() {
  const records: { level: string; message: string }[] = []
  const record = (level: string) => (message: string) => void records.push({ level, message })
  return {
    records,
    logger: { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') },
  }
}

/** Resolves when `open()` is called: lets a test hold a request until it chooses. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void
  const wait = new Promise<void>((resolve) => {
    open = resolve
  })
  return { wait, open }
}
