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
 * What a store's `load()` returns and what `register()` hands to `saveCredentials()`:
 * the official Node SDK's `StoredCredentials`, member for member, so a store written
 * against the official types works here unchanged. Every member is optional: before
 * registration a store holds nothing (`{}`), and between the two saves of a
 * registration it holds the key without a `clientId`.
 */
export interface StoredCredentials {
  /** The binding's client id (`cb_…`). Required to make requests. */
  clientId?: string
  /** The private key as PKCS#8 PEM (what `register()` generates). */
  privateKeyPem?: string
  /** The private key as a P-256 JWK, for stores that keep keys as JSON. */
  privateJwk?: JWK
  /** The public half; checked against the private key when given. */
  publicJwk?: JWK
  /** The key's RFC 7638 thumbprint (`key_jkt`); checked against the private key when given. */
  kid?: string
  /**
   * The current refresh token of *this instance's* token family, as last given to
   * `saveRefreshToken()`. Used once, for the first token request.
   */
  refreshToken?: string | null
  /**
   * Beyond the official contract: the key as a CryptoKey, a CryptoKeyPair (keys that
   * must stay non-extractable) or a JWK object. Used when `privateKeyPem` and
   * `privateJwk` are absent.
   */
  privateKey?: PrivateKeyInput
  /** Beyond the official contract: a shared access token (see {@link StoredTokens}). */
  tokens?: StoredTokens
}

/** @deprecated Renamed {@link StoredCredentials}, the official SDK's name. */
export type RalioCredentials = StoredCredentials

/** Options of `WritableCredentialStore.saveCredentials` that `register()` passes. */
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
  /** The stored credentials; `{}` (or, accepted too, `undefined`/`null`) when none exist yet. */
  load(): Promise<StoredCredentials | undefined | null>
  /** Records this instance's newest refresh token (`null`: forget it). */
  saveRefreshToken(refreshToken: string | null): Promise<void>
}

/** Releases a registration lock. */
export interface RegistrationLock {
  /** Gives the folder back to the next registration. */
  release(): Promise<void>
}

/**
 * A store `register()` can write a new binding into: the official Node SDK's
 * `WritableCredentialStore`. `register()` calls `saveCredentials()` twice:
 *
 * 1. `{ privateKeyPem, publicJwk, kid }` before the ticket is submitted, so a key the
 *    server may bind is never lost (a timeout, a dropped answer);
 * 2. `{ clientId, privateKeyPem, publicJwk, kid, refreshToken }` once the binding is
 *    active and its first token minted (without `refreshToken` when that failed).
 *
 * The optional members are this SDK's additions; a store without them works.
 */
export interface WritableCredentialStore extends CredentialStore {
  /** Stores what `register()` made (see above); `options.overwrite` allows replacing a binding. */
  saveCredentials(credentials: StoredCredentials, options?: SaveCredentialsOptions): Promise<void>
  /**
   * Optional: records the binding's first access token for tools that read the store
   * later (the CLI, the Python SDK). Never a refresh token.
   */
  saveAccessToken?(tokens: StoredTokens): Promise<void>
  /** Optional: remove the key a refused registration saved (by its `kid`), and only that. */
  deleteKey?(kid: string): Promise<void>
  /**
   * Optional: makes registration into this store exclusive (across processes, for a
   * folder). Throws `RalioConfigError` (`registration_locked`) when another holds it.
   */
  lockRegistration?(): Promise<RegistrationLock>
}
