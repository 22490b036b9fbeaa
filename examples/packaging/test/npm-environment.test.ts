import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it, vi } from 'vitest'
import { npmInstall } from '../src/consumer-project.js'
import { plainNpmEnvironment } from '../src/run-command.js'

afterEach(() => {
  vi.unstubAllEnvs()
})

it('keeps the npm trust, proxy and cache settings a person gives and drops what pnpm sets for scripts', () => {
  vi.stubEnv('npm_config_cafile', '/etc/proxy-ca.pem')
  vi.stubEnv('NPM_CONFIG_GLOBALCONFIG', '/usr/etc/npmrc')
  vi.stubEnv('npm_config_cache', '/tmp/fresh-cache')
  vi.stubEnv('npm_config_https_proxy', 'http://proxy.internal:3128')
  vi.stubEnv('npm_config_user_agent', 'pnpm/10 npm/? node/v24')
  vi.stubEnv('npm_config_verify_deps_before_run', 'false')
  vi.stubEnv('npm_lifecycle_event', 'test')
  vi.stubEnv('PNPM_PACKAGE_NAME', 'packaging')

  const dropped = Object.keys(plainNpmEnvironment())

  expect(dropped).toEqual(
    expect.arrayContaining([
      'npm_config_user_agent',
      'npm_config_verify_deps_before_run',
      'npm_lifecycle_event',
      'PNPM_PACKAGE_NAME',
    ]),
  )
  for (const kept of [
    'npm_config_cafile',
    'NPM_CONFIG_GLOBALCONFIG',
    'npm_config_cache',
    'npm_config_https_proxy',
  ]) {
    expect(dropped).not.toContain(kept)
  }
})

it('fails at once with one line naming the cause when npm cannot reach its registry', async () => {
  // A port that was free a moment ago: the registry refuses the connection.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
  vi.stubEnv('npm_config_registry', `http://127.0.0.1:${port}/`)
  const project = await mkdtemp(join(tmpdir(), 'x-sdks-unreachable-'))
  try {
    const failure = await npmInstall(project).then(
      () => undefined,
      (error: Error) => error,
    )
    expect(failure?.message).toMatch(/^npm cannot reach its registry \(ECONNREFUSED\);/)
    expect(failure?.message).not.toContain('\n')
  } finally {
    await rm(project, { recursive: true, force: true })
  }
})
