import { inspectable } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type {
  CredentialStore,
  RalioCredentials,
  SaveCredentialsOptions,
  StoredTokens,
} from './credential-store.js'

/**
 * Keeps credentials in this process only: for keys from a secret manager, short-lived
 * workers and tests. Nothing is written anywhere.
 */
export class MemoryCredentialStore implements CredentialStore {
  #credentials: RalioCredentials | undefined

  constructor(credentials?: RalioCredentials) {
    this.#credentials = credentials
    inspectable(this, () => ({ clientId: this.#credentials?.clientId }))
  }

  async load(): Promise<RalioCredentials | undefined> {
    return this.#credentials
  }

  async saveCredentials(
    credentials: RalioCredentials,
    options?: SaveCredentialsOptions,
  ): Promise<{ keyPath?: string }> {
    if (this.#credentials !== undefined && options?.overwrite !== true) {
      throw new RalioConfigError(
        `This store already holds credentials for ${this.#credentials.clientId}; pass overwrite: true to replace them`,
        { code: 'credentials_exist' },
      )
    }
    this.#credentials = { ...credentials }
    return {}
  }

  async saveRefreshToken(tokens: StoredTokens): Promise<void> {
    if (this.#credentials === undefined) return
    this.#credentials = { ...this.#credentials, tokens: { ...tokens } }
  }
}
