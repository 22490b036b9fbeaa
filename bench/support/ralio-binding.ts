import { mkdir, mkdtemp, readFile } from 'node:fs/promises'
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

/** Registers a fresh binding with `register()` into a scratch config directory under bench/.tmp. */
export async function registerRalioBinding(baseUrl: string, ticket: string): Promise<RalioBinding> {
  const scratch = join(repositoryRoot, 'bench/.tmp')
  await mkdir(scratch, { recursive: true })
  const configDir = await mkdtemp(join(scratch, 'ralio-'))
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
