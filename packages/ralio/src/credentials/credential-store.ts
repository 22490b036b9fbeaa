import type { JWK } from 'jose'
import type { PrivateKeyInput } from '../auth/signing-key.js'

/**
 * An access token as last recorded for the binding (in `credentials.json` by
 * `register()`, the Python SDK or the CLI). Reusable by any process holding the key:
 * it is bound to the key, not to a process.
 */
export interface StoredTokens {
  accessToken?: string
  /**
   * The refresh token the file holds, if any. Never used by default: it belongs to the
   * process that obtained it, and presenting it from another one is a replay.
   */
  refreshToken?: string
  /** Lifetime of `accessToken` in seconds, counted from `obtainedAt`. */
  expiresIn?: number
  /** Unix seconds (an integer or, as the Python SDK writes it, a float). */
  obtainedAt?: number
  /** Space-separated scopes the token carries. */
  scope?: string
}

/**
 * What a store's `load()` returns. The shape is the official Node SDK's
 * (`clientId`, `privateKeyPem` or `privateJwk`, `refreshToken`), so a store written for
 * `@ralioco/sdk` plugs in unchanged; `privateKey` also takes a JWK object, a CryptoKey
 * or a CryptoKeyPair.
 */
export interface RalioCredentials {
  /** The binding's client id (`cb_…`). Required to make requests. */
  clientId?: string
  /** The binding's private key: PKCS#8 PEM, JWK, CryptoKey or CryptoKeyPair. */
  privateKey?: PrivateKeyInput
  /** The key as PKCS#8 PEM (the official Node SDK's name). */
  privateKeyPem?: string
  /** The key as a private JWK (the official Node SDK's name). */
  privateJwk?: JWK
  /** The key's RFC 7638 thumbprint (`key_jkt`); optional, checked against the key when given. */
  jkt?: string
  /** The thumbprint under the official Node SDK's name; checked like `jkt`. */
  kid?: string
  /** Accepted for compatibility; the public key is always derived from the private one. */
  publicJwk?: JWK
  /**
   * The current refresh token of *this instance's* token family, as last given to
   * `saveRefreshToken()`. Used once, for the first token request.
   */
  refreshToken?: string | null
  /** A shared access token (see {@link StoredTokens}). */
  tokens?: StoredTokens
}

/** A newly registered binding, as `register()` hands it to {@link WritableCredentialStore.saveCredentials}. */
export interface RegisteredCredentials {
  clientId: string
  /** The key's RFC 7638 thumbprint. */
  jkt: string
  /** The key as PKCS#8 PEM. */
  privateKey: string
}

/** Options of `CredentialStore.saveCredentials`. */
export interface SaveCredentialsOptions {
  /** Replace credentials already stored; without it, saving over them fails. */
  overwrite?: boolean
}

/**
 * Where a client's credentials come from: the official Node SDK's interface. `load()`
 * gives the binding (and this instance's refresh token, if kept); `saveRefreshToken()`
 * is called with each rotated refresh token, and with `null` when the family is gone.
 *
 * Keep refresh tokens per instance: N processes sharing one binding share its client id
 * and key, never a refresh token (presenting a rotated one revokes the whole family).
 */
export interface CredentialStore {
  /** The stored credentials, or `undefined`/`null` when none exist yet. */
  load(): Promise<RalioCredentials | undefined | null>
  /** Records this instance's newest refresh token (`null`: forget it). */
  saveRefreshToken(refreshToken: string | null): Promise<void>
}

/** Releases a registration lock. */
export interface RegistrationLock {
  /** Gives the folder back to the next registration. */
  release(): Promise<void>
}

/** A store `register()` can write a new binding into. */
export interface WritableCredentialStore extends CredentialStore {
  /** Stores a newly registered binding; returns where the key was written, if anywhere. */
  saveCredentials(
    credentials: RegisteredCredentials,
    options?: SaveCredentialsOptions,
  ): Promise<{ keyPath?: string }>
  /**
   * Optional: records the binding's first access token for tools that read the store
   * later (the CLI, the Python SDK). Never a refresh token.
   */
  saveAccessToken?(tokens: StoredTokens): Promise<void>
  /**
   * Optional: persist the private key before registering, so a key the server may
   * already have bound is never lost (a timeout, an old server awaiting approval).
   * Refuses to replace an existing file unless `overwrite` is set.
   */
  saveKey?(pem: string, jkt: string, options?: SaveCredentialsOptions): Promise<string>
  /** Optional: remove a key this store saved with `saveKey`, and only that. */
  deleteKey?(jkt: string): Promise<void>
  /**
   * Optional: makes registration into this store exclusive (across processes, for a
   * folder). Throws `RalioConfigError` (`registration_locked`) when another holds it.
   */
  lockRegistration?(): Promise<RegistrationLock>
}
