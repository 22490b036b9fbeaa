import type { PrivateKeyInput } from '../auth/signing-key.js'

/** Tokens as last obtained; all optional because a binding may not have minted one yet. */
export interface StoredTokens {
  accessToken?: string
  refreshToken?: string
  /** Lifetime of `accessToken` in seconds, counted from `obtainedAt`. */
  expiresIn?: number
  /** Unix seconds. */
  obtainedAt?: number
  /** Space-separated scopes the token carries. */
  scope?: string
}

/** A credential binding: its client id and the key it is bound to. */
export interface RalioCredentials {
  clientId: string
  /** The key's RFC 7638 thumbprint (`key_jkt`). */
  jkt: string
  privateKey: PrivateKeyInput
  tokens?: StoredTokens
}

/** Options of `CredentialStore.saveCredentials`. */
export interface SaveCredentialsOptions {
  /** Replace credentials already stored; without it, saving over them fails. */
  overwrite?: boolean
}

/**
 * Where a binding's credentials live. The file store (shared with the Python SDK and
 * the CLI) is the default; the memory store suits secret managers and tests; implement
 * this for anything else (a vault, a database).
 */
export interface CredentialStore {
  /** The stored credentials, or `undefined` when none exist yet. */
  load(): Promise<RalioCredentials | undefined>
  /** Stores a newly registered binding; returns where the key was written, if anywhere. */
  saveCredentials(
    credentials: RalioCredentials,
    options?: SaveCredentialsOptions,
  ): Promise<{ keyPath?: string }>
  /**
   * Records the tokens a client just obtained. Each process keeps using its own
   * refresh-token family in memory; this is for tools that read the store later.
   */
  saveRefreshToken(tokens: StoredTokens): Promise<void>
  /**
   * Optional: persist the private key before registering, so a key the server may
   * already have bound is never lost (a timeout, an old server awaiting approval).
   */
  saveKey?(pem: string, jkt: string): Promise<string>
  /** Optional: remove a key saved by `saveKey` that no binding uses. */
  deleteKey?(jkt: string): Promise<void>
}
