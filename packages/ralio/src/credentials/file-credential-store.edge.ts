import { inspectable } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type {
  CredentialStore,
  RalioCredentials,
  SaveCredentialsOptions,
  StoredTokens,
} from './credential-store.js'

export interface FileCredentialStoreOptions {
  configDir?: string
  privateKeyPath?: string
}

const noFileSystem =
  'This runtime has no file system, so FileCredentialStore is unavailable. ' +
  'Pass `credentialStore: new MemoryCredentialStore(...)` or `{ clientId, privateKey }` (a PEM, JWK or CryptoKey, e.g. from a secret) to the client.'

/**
 * Stand-in for the file store on runtimes without `node:fs` (edge workers, browsers):
 * same API, every method explains what to pass instead.
 */
export class FileCredentialStore implements CredentialStore {
  readonly configDir: string

  constructor(options: FileCredentialStoreOptions = {}) {
    this.configDir = options.configDir ?? '~/.ralio'
    inspectable(this, () => ({ configDir: this.configDir }))
  }

  get credentialsPath(): string {
    return `${this.configDir}/credentials.json`
  }

  async load(): Promise<RalioCredentials | undefined> {
    throw new RalioConfigError(noFileSystem, { code: 'no_file_system' })
  }

  async saveCredentials(
    _credentials: RalioCredentials,
    _options?: SaveCredentialsOptions,
  ): Promise<{ keyPath?: string }> {
    throw new RalioConfigError(noFileSystem, { code: 'no_file_system' })
  }

  async saveRefreshToken(_tokens: StoredTokens): Promise<void> {
    throw new RalioConfigError(noFileSystem, { code: 'no_file_system' })
  }

  async saveKey(_pem: string, _jkt: string): Promise<string> {
    throw new RalioConfigError(noFileSystem, { code: 'no_file_system' })
  }

  async deleteKey(_jkt: string): Promise<void> {
    throw new RalioConfigError(noFileSystem, { code: 'no_file_system' })
  }
}

export async function readPrivateKeyFile(_path: string): Promise<string> {
  throw new RalioConfigError(
    'This runtime has no file system, so privateKeyPath cannot be read; pass the key itself as privateKey (PEM, JWK or CryptoKey)',
    { code: 'no_file_system' },
  )
}
