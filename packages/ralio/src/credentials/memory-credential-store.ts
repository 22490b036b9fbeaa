import { inspectable } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type {
  RalioCredentials,
  RegisteredCredentials,
  RegistrationLock,
  SaveCredentialsOptions,
  StoredTokens,
  WritableCredentialStore,
} from './credential-store.js'

/**
 * Keeps credentials in this process only: for keys from a secret manager, short-lived
 * workers and tests. Nothing is written anywhere.
 *
 * Several clients may share one memory store: it hands a `refreshToken` given to its
 * constructor to the first client that loads it only, and keeps none of the rotated
 * ones (each client holds its own family in memory), so no two clients ever present
 * the same refresh token.
 */
export class MemoryCredentialStore implements WritableCredentialStore {
  #credentials: RalioCredentials | undefined
  #registering = false

  constructor(credentials?: RalioCredentials) {
    this.#credentials = credentials === undefined ? undefined : { ...credentials }
    inspectable(this, () => ({ clientId: this.#credentials?.clientId }))
  }

  async load(): Promise<RalioCredentials | undefined> {
    if (this.#credentials === undefined) return undefined
    const { refreshToken, ...credentials } = this.#credentials
    if (refreshToken == null) return credentials
    // Handed out once: a second client presenting it would be a replay.
    this.#credentials = credentials
    return { ...credentials, refreshToken }
  }

  async saveCredentials(
    credentials: RegisteredCredentials,
    options?: SaveCredentialsOptions,
  ): Promise<{ keyPath?: string }> {
    if (this.#credentials !== undefined && options?.overwrite !== true) {
      throw new RalioConfigError(
        `This store already holds credentials for ${this.#credentials.clientId}; pass overwrite: true to replace them`,
        { code: 'credentials_exist' },
      )
    }
    this.#credentials = {
      clientId: credentials.clientId,
      jkt: credentials.jkt,
      privateKey: credentials.privateKey,
    }
    return {}
  }

  async saveAccessToken(tokens: StoredTokens): Promise<void> {
    if (this.#credentials === undefined) return
    const { refreshToken: _neverShared, ...accessToken } = tokens
    this.#credentials = { ...this.#credentials, tokens: accessToken }
  }

  /** Keeps nothing: the client that rotated the token holds it, and it is that client's alone. */
  async saveRefreshToken(_refreshToken: string | null): Promise<void> {}

  /** One registration at a time into this store. */
  async lockRegistration(): Promise<RegistrationLock> {
    if (this.#registering) {
      throw new RalioConfigError(
        'Another registration into this store is in progress; your ticket was not used',
        {
          code: 'registration_locked',
        },
      )
    }
    this.#registering = true
    return {
      release: async () => {
        this.#registering = false
      },
    }
  }
}
