import { cp, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { plainNpmEnvironment, runCommand } from './run-command.js'

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))

export interface ConsumerManifest {
  dependencies: Record<string, string>
  devDependencies?: Record<string, string>
  overrides?: Record<string, unknown>
}

/**
 * Makes an npm project in `directory` (outside the workspace, so nothing resolves to
 * workspace sources), copies the consumer fixtures into it and installs with plain npm,
 * as a user of the published packages would.
 */
export async function installConsumer(directory: string, manifest: ConsumerManifest): Promise<void> {
  await cp(fixtures, directory, { recursive: true })
  await writeFile(
    join(directory, 'package.json'),
    `${JSON.stringify({ name: 'x-sdks-consumer', private: true, type: 'module', ...manifest }, null, 2)}\n`,
  )
  await npmInstall(directory)
}

/**
 * `npm install` as a user runs it, after checking that npm can reach its registry at all:
 * an unreachable registry (or a TLS proxy whose CA npm was not given) fails at once with
 * one line, instead of npm retrying every request until the step is killed.
 */
export async function npmInstall(directory: string): Promise<void> {
  await assertRegistryReachable(directory)
  await runCommand('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: directory,
    env: plainNpmEnvironment(),
    timeoutMs: 150_000,
  })
}

let registryCheck: Promise<void> | undefined

function assertRegistryReachable(directory: string): Promise<void> {
  registryCheck ??= runCommand(
    'npm',
    ['ping', '--fetch-retries=0', '--fetch-timeout=20000', '--loglevel=error'],
    {
      cwd: directory,
      env: plainNpmEnvironment(),
      timeoutMs: 45_000,
    },
  ).then(
    () => undefined,
    (error: unknown) => {
      const detail = String((error as Error).message ?? error)
      const reason =
        detail.match(
          /(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_[A-Z_]+|CERT_[A-Z_]+|E[A-Z]{4,}|ETIMEDOUT)/,
        )?.[1] ?? 'no answer'
      throw new Error(
        `npm cannot reach its registry (${reason}); the packaging tests install the packed packages with npm. ` +
          'Behind a TLS-inspecting proxy give npm its CA (NODE_EXTRA_CA_CERTS, or `cafile` in npmrc) and the proxy (HTTPS_PROXY).',
      )
    },
  )
  return registryCheck
}

/** Runs a script of the consumer project with the project's Node and returns its stdout. */
export async function runConsumerScript(
  directory: string,
  script: string,
  env: Record<string, string | undefined> = {},
): Promise<string> {
  const { stdout } = await runCommand(process.execPath, [script], { cwd: directory, env, timeoutMs: 60_000 })
  return stdout
}
