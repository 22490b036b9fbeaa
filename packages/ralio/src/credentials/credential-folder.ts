import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { readEnv } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type { CredentialsFile } from './credentials-file.js'
import { pathExists } from './private-file.js'

/**
 * Where everything lives in the credential folder shared with the official Python and
 * Node SDKs and the CLI: `<configDir>/credentials.json`, `<configDir>/keys/<jkt>.pem`,
 * `<configDir>/refresh-tokens/<slot>.json`, `<configDir>/.registration.lock`. Paths
 * only; reading, writing and permissions are other files' jobs.
 */
export class CredentialFolder {
  /** Absolute. */
  readonly configDir: string

  /** Default: `RALIO_CONFIG_DIR`, else `~/.ralio`; a relative one is taken from the working directory. */
  constructor(configDir: string | undefined) {
    this.configDir = resolve(
      expandHome(configDir ?? readEnv('RALIO_CONFIG_DIR') ?? join(homedir(), '.ralio')),
    )
  }

  get credentialsPath(): string {
    return join(this.configDir, 'credentials.json')
  }

  get keysDir(): string {
    return join(this.configDir, 'keys')
  }

  get registrationLockPath(): string {
    return join(this.configDir, '.registration.lock')
  }

  /** Where a new key with thumbprint `jkt` goes: always absolute, so any reader finds it. */
  keyPath(jkt: string): string {
    return join(this.keysDir, `${jkt}.pem`)
  }

  /** The Python SDK's `refresh_token_slot` file. */
  refreshTokenSlotPath(slot: string): string {
    return join(this.configDir, 'refresh-tokens', `${safeSlot(slot)}.json`)
  }

  /** `key_path` as the Python SDK reads it (from the working directory), then against the folder. */
  async keyPathToRead(file: CredentialsFile): Promise<string> {
    const recorded = typeof file.key_path === 'string' && file.key_path !== '' ? file.key_path : undefined
    if (recorded === undefined) return this.keyPath(file.key_jkt as string)
    const path = expandHome(recorded)
    if (isAbsolute(path)) return path
    const fromWorkingDirectory = resolve(path)
    if (await pathExists(fromWorkingDirectory).catch(() => true)) return fromWorkingDirectory
    return resolve(this.configDir, path)
  }
}

export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}

/** The Python SDK's slot rule: letters, digits, `.`, `_` and `-` kept, anything else `_`. */
function safeSlot(slot: string): string {
  const cleaned = slot.replace(/[^\p{L}\p{N}._-]/gu, '_')
  if (cleaned === '')
    throw new RalioConfigError('refreshTokenSlot cannot be empty', { code: 'invalid_config' })
  return cleaned
}
