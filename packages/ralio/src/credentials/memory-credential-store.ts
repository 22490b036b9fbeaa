import { inspectable } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type {
  RegistrationLock,
  SaveCredentialsOptions,
  StoredCredentials,
  StoredTokens,
  WritableCredentialStore,
} from './credential-store.js'

/**
 * Keeps credentials in this process only: for keys from a secret manager, short-lived
 * workers and tests. Nothing is written anywhere. Implements the official
 * `WritableCredentialStore`; `load()` gives `{}` while it holds nothing.
 *
 * Several clients may share one memory store: it hands a `refreshToken` (given to its
 * constructor or saved by `register()`) to the first client that loads it only, and
 * keeps none of the rotated ones (each client holds its own family in memory), so no
 * two clients ever present the same refresh token.
 */
export class MemoryCredentialStore implements WritableCredentialStore {
  #credentials: StoredCredentials
  /** A key saved before its registration completed; never mixed into a held binding. */
  #pendingKey: StoredCredentials | undefined
  #registering = false

  constructor(credentials?: StoredCredentials) {
    this.#credentials = { ...credentials }
    inspectable(this, () => ({ clientId: this.#credentials.clientId }))
  }

  async load(): Promise<StoredCredentials> {
    if (this.#credentials.clientId === undefined && this.#pendingKey !== undefined)
      return { ...this.#pendingKey }
    const { refreshToken, ...credentials } = this.#credentials
    if (refreshToken == null) return { ...credentials }
    // Handed out once: a second client presenting it would be a replay.
    this.#credentials = credentials
    return { ...credentials, refreshToken }
  }

  /**
   * Without `clientId` (the key `register()` saves before spending the ticket) it is kept
   * aside until the binding arrives; with one it replaces a binding only with `overwrite`.
   */
  async saveCredentials(credentials: StoredCredentials, options?: SaveCredentialsOptions): Promise<void> {
    if (credentials.clientId === undefined) {
      this.#pendingKey = { ...credentials }
      return
    }
    const held = this.#credentials.clientId
    if (credentials.clientId !== undefined && held !== undefined && options?.overwrite !== true) {
      throw new RalioConfigError(
        `This store already holds credentials for ${held}; pass overwrite: true to replace them`,
        { code: 'credentials_exist' },
      )
    }
    this.#credentials = { ...credentials }
    this.#pendingKey = undefined
  }

  /** Forgets the key a refused registration saved. */
  async deleteKey(kid: string): Promise<void> {
    if (this.#pendingKey?.kid === kid) this.#pendingKey = undefined
  }

  async saveAccessToken(tokens: StoredTokens): Promise<void> {
    if (this.#credentials.clientId === undefined) return
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
        { code: 'registration_locked' },
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
