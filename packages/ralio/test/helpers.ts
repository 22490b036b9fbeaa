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
