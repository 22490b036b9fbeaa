import { inspectable, type Logger, type LogLevel } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type {
  RegistrationLock,
  SaveCredentialsOptions,
  StoredCredentials,
  StoredTokens,
  WritableCredentialStore,
} from './credential-store.js'

export interface FileCredentialStoreOptions {
  configDir?: string
  privateKeyPath?: string
  refreshTokenPath?: string
  refreshTokenSlot?: string
  logger?: Logger | LogLevel
}

const noFileSystem =
  'This runtime has no file system, so FileCredentialStore is unavailable. ' +
  'Pass `credentialStore: new MemoryCredentialStore(...)` (or your own store) or `{ clientId, privateKey }` (a PEM, JWK or CryptoKey, e.g. from a secret) to the client.'

const fail = (message = noFileSystem) => new RalioConfigError(message, { code: 'no_file_system' })

/**
 * Stand-in for the file store on runtimes without `node:fs` (edge workers, browsers):
 * same API, every method explains what to pass instead.
 */
export class FileCredentialStore implements WritableCredentialStore {
  readonly configDir: string

  constructor(options: FileCredentialStoreOptions = {}) {
    this.configDir = options.configDir ?? '~/.ralio'
    inspectable(this, () => ({ configDir: this.configDir }))
  }

  get credentialsPath(): string {
    return `${this.configDir}/credentials.json`
  }

  keyPathOf(_kid: string): string | undefined {
    return undefined
  }

  async load(): Promise<StoredCredentials> {
    throw fail()
  }

  async saveCredentials(_credentials: StoredCredentials, _options?: SaveCredentialsOptions): Promise<void> {
    throw fail()
  }

  async saveAccessToken(_tokens: StoredTokens): Promise<void> {
    throw fail()
  }

  async saveRefreshToken(_refreshToken: string | null): Promise<void> {
    throw fail()
  }

  async deleteKey(_kid: string): Promise<void> {
    throw fail()
  }

  async lockRegistration(): Promise<RegistrationLock> {
    throw fail()
  }
}

/** Without a file system there is no file to keep a refresh token in: nothing is kept. */
export class RefreshTokenFile {
  constructor(options: { path?: string | undefined; json?: boolean } = {}) {
    if (options.path !== undefined) {
      throw fail(
        'This runtime has no file system, so refreshTokenPath is unavailable; pass a credentialStore whose saveRefreshToken() keeps it where you can (a KV store, a database)',
      )
    }
  }

  async load(): Promise<string | null> {
    return null
  }

  async save(_refreshToken: string | null): Promise<void> {}
}

export async function readPrivateKeyFile(_path: string, _warn?: (message: string) => void): Promise<string> {
  throw fail(
    'This runtime has no file system, so privateKeyPath cannot be read; pass the key itself as privateKey (PEM, JWK or CryptoKey)',
  )
}
