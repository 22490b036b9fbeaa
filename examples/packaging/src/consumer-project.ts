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
  await runCommand('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: directory,
    env: plainNpmEnvironment(),
    timeoutMs: 150_000,
  })
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
