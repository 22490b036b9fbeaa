import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { register } from '@x/ralio'
import { repositoryRoot } from './workspace.ts'

export interface RalioBinding {
  baseUrl: string
  /** Where register() wrote `credentials.json` and the key. */
  configDir: string
  clientId: string
  jkt: string
  keyPath: string
  privateKeyPem: string
}

const created: string[] = []

/** Deletes the config directories this process's registrations wrote (keys included). */
export async function removeRalioBindings(): Promise<void> {
  await Promise.all(created.splice(0).map((directory) => rm(directory, { recursive: true, force: true })))
}

/** Registers a fresh binding with `register()` into a scratch config directory under bench/.tmp. */
export async function registerRalioBinding(baseUrl: string, ticket: string): Promise<RalioBinding> {
  const scratch = join(repositoryRoot, 'bench/.tmp')
  await mkdir(scratch, { recursive: true })
  const configDir = await mkdtemp(join(scratch, 'ralio-'))
  created.push(configDir)
  const binding = await register({ ticket, baseUrl, configDir })
  const keyPath = binding.keyPath ?? join(configDir, 'keys', `${binding.jkt}.pem`)
  return {
    baseUrl,
    configDir,
    clientId: binding.clientId,
    jkt: binding.jkt,
    keyPath,
    privateKeyPem: await readFile(keyPath, 'utf8'),
  }
}
