import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { createLogger, inspectable, type Logger, type LogLevel } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import { CredentialFolder, expandHome } from './credential-folder.js'
import type {
  RegistrationLock,
  SaveCredentialsOptions,
  StoredCredentials,
  StoredTokens,
  WritableCredentialStore,
} from './credential-store.js'
import {
  type CredentialsFile,
  parseCredentialsFile,
  tokensFromFile,
  withAccessToken,
} from './credentials-file.js'
import { ensurePrivateDirectory, readPrivateKeyFile, sharedFileWarning } from './file-permissions.js'
import { errorCode, tryFolderLock } from './folder-lock.js'
import { fileSystemError, pathExists, prettyJson, readPrivateFile, writePrivateFile } from './private-file.js'
import { RefreshTokenFile } from './refresh-token-file.js'
import { loadStoredKey } from './stored-key.js'

export { readPrivateKeyFile } from './file-permissions.js'
export { RefreshTokenFile } from './refresh-token-file.js'

/** Where a `FileCredentialStore` keeps the binding and its key. */
export interface FileCredentialStoreOptions {
  /** Default: `RALIO_CONFIG_DIR`, else `~/.ralio`. A relative one is taken from the working directory. */
  configDir?: string
  /** Where the private key lives; default `key_path` from the file, else `<configDir>/keys/<jkt>.pem`. */
  privateKeyPath?: string
  /**
   * Keep this instance's refresh token in this file (the official Node SDK's option), so
   * its token family survives a restart. Give each running instance its own path.
   * Default: the refresh token stays in memory.
   */
  refreshTokenPath?: string
  /**
   * Keep this instance's refresh token in `<configDir>/refresh-tokens/<slot>.json` (the
   * Python SDK's `refresh_token_slot`). Give each running instance its own slot.
   */
  refreshTokenSlot?: string
  /** Where warnings go (a group-readable key or `credentials.json`). Default: console at `warn`. */
  logger?: Logger | LogLevel
}

/** How long a registration lock is honoured when its owner can't be checked (another host). */
const registrationLockStaleAfterMs = 10 * 60_000

/**
 * The credential folder shared with the official Python and Node SDKs and the CLI:
 * `<configDir>/credentials.json` (0600: `client_id`, `key_jkt`, `key_path`, the first
 * access token) and `<configDir>/keys/<jkt>.pem` (0600, PKCS#8), directories 0700.
 * Every write is atomic (temp file + rename); fields we don't know are kept.
 *
 * Implements the official `WritableCredentialStore`: `saveCredentials()` with a key and
 * no `clientId` writes the key only; with a `clientId` it writes `credentials.json`.
 * `load()` gives `{}` before registration.
 *
 * Refresh tokens are per instance: the client keeps its family in memory, and in a file
 * of its own only when `refreshTokenPath` or `refreshTokenSlot` names one. A
 * `refresh_token` in `credentials.json` is never used or written: presented by two
 * processes it would be a replay. `credentials.json` is written only by registration.
 */
export class FileCredentialStore implements WritableCredentialStore {
  readonly configDir: string
  readonly #folder: CredentialFolder
  readonly #privateKeyPath: string | undefined
  readonly #refreshToken: RefreshTokenFile
  readonly #logger: Logger
  /** Rewrites of credentials.json from this process happen one at a time. */
  #writes: Promise<unknown> = Promise.resolve()
  /**
   * Keys this instance wrote, so `deleteKey` removes nothing else. `replaces`: the file a
   * key written beside it will replace once the binding is saved.
   */
  readonly #writtenKeys = new Map<string, { path: string; pem: string; replaces?: string }>()
  /** Each permission warning once per store, not on every load. */
  readonly #warned = new Set<string>()

  constructor(options: FileCredentialStoreOptions = {}) {
    if (options.refreshTokenPath !== undefined && options.refreshTokenSlot !== undefined) {
      throw new RalioConfigError('Pass either refreshTokenPath or refreshTokenSlot, not both', {
        code: 'conflicting_options',
      })
    }
    this.#folder = new CredentialFolder(options.configDir)
    this.configDir = this.#folder.configDir
    this.#privateKeyPath =
      options.privateKeyPath === undefined ? undefined : resolve(expandHome(options.privateKeyPath))
    this.#refreshToken = new RefreshTokenFile(
      options.refreshTokenSlot !== undefined
        ? { path: this.#folder.refreshTokenSlotPath(options.refreshTokenSlot), json: true }
        : options.refreshTokenPath !== undefined
          ? { path: options.refreshTokenPath }
          : {},
    )
    this.#logger = createLogger(options.logger, '@x/ralio')
    inspectable(this, () => ({ configDir: this.configDir }))
  }

  /** The path of `credentials.json` in the config directory. */
  get credentialsPath(): string {
    return this.#folder.credentialsPath
  }

  /** Where this store wrote the key with thumbprint `kid`, if it wrote one. */
  keyPathOf(kid: string): string | undefined {
    return this.#writtenKeys.get(kid)?.path
  }

  async load(): Promise<StoredCredentials> {
    const file = await this.#readFile()
    if (file === undefined) return {}
    const keyPath = this.#privateKeyPath ?? (await this.#folder.keyPathToRead(file))
    const privateKeyPem = await readPrivateKeyFile(keyPath, this.#warnOnce)
    const key = await loadStoredKey(
      { privateKeyPem, kid: file.key_jkt || undefined },
      ` in ${this.configDir}`,
    ).catch((error: unknown) => {
      if (RalioConfigError.isInstance(error) && error.code === 'key_mismatch') throw error
      throw new RalioConfigError(
        `${keyPath} holds no usable private key (${(error as Error).message}); register again or fix key_path in ${this.credentialsPath}`,
        { code: 'private_key_invalid', cause: error },
      )
    })
    const credentials: StoredCredentials = {
      clientId: file.client_id,
      privateKeyPem,
      kid: key!.jkt,
      refreshToken: await this.#refreshToken.load(),
    }
    const tokens = tokensFromFile(file)
    if (tokens !== undefined) credentials.tokens = tokens
    return credentials
  }

  async saveCredentials(credentials: StoredCredentials, options?: SaveCredentialsOptions): Promise<void> {
    const pem =
      credentials.privateKeyPem ??
      (typeof credentials.privateKey === 'string' ? credentials.privateKey : undefined)
    if (pem === undefined) {
      throw new RalioConfigError(
        'FileCredentialStore stores PEM keys only; pass the key as privateKeyPem (PKCS#8)',
        { code: 'invalid_private_key' },
      )
    }
    const key = await loadStoredKey({ ...credentials, privateKeyPem: pem }, ` for ${this.configDir}`)
    const kid = key!.jkt
    if (credentials.clientId === undefined) {
      await this.#saveKey(pem, kid, options)
      return
    }
    await this.#saveBinding(credentials.clientId, pem, kid, options)
    if (credentials.refreshToken !== undefined) await this.#refreshToken.save(credentials.refreshToken)
  }

  async saveAccessToken(tokens: StoredTokens): Promise<void> {
    await this.#serialise(async () => {
      const file = await this.#readFile()
      if (file === undefined) return
      await writePrivateFile(this.credentialsPath, prettyJson(withAccessToken(file, tokens)))
    })
  }

  async saveRefreshToken(refreshToken: string | null): Promise<void> {
    await this.#refreshToken.save(refreshToken)
  }

  async deleteKey(kid: string): Promise<void> {
    const written = this.#writtenKeys.get(kid)
    if (written === undefined) return
    this.#writtenKeys.delete(kid)
    // Only while the file still holds what we wrote: it may have been replaced since.
    const current = await readPrivateFile(written.path, 'the key file', 'private_key_unreadable').catch(
      () => undefined,
    )
    if (current?.text === written.pem) await rm(written.path, { force: true })
  }

  async lockRegistration(): Promise<RegistrationLock> {
    await ensurePrivateDirectory(this.configDir, { logger: this.#logger })
    const path = this.#folder.registrationLockPath
    let attempt: Awaited<ReturnType<typeof tryFolderLock>>
    try {
      attempt = await tryFolderLock(path, { staleAfterMs: registrationLockStaleAfterMs })
    } catch (error) {
      throw fileSystemError(error, 'lock', path)
    }
    if (attempt.acquired) return { release: attempt.release }
    const holder = attempt.owner
      ? ` (process ${attempt.owner.pid} on ${attempt.owner.host ?? 'an unnamed host'}, since ${attempt.owner.createdAt})`
      : ''
    throw new RalioConfigError(
      `Another registration holds ${this.configDir}${holder}; your ticket was not used. Wait for it to finish and use the binding it writes, or, if no registration is running there, delete ${path} and try again`,
      { code: 'registration_locked' },
    )
  }

  /** The first save of a registration: the key alone, before the ticket is spent. */
  async #saveKey(pem: string, jkt: string, options?: SaveCredentialsOptions): Promise<string> {
    const written = this.#writtenKeys.get(jkt)
    if (written?.pem === pem) return written.path
    const keyPath = this.#privateKeyPath ?? this.#folder.keyPath(jkt)
    if (this.#privateKeyPath === undefined) {
      await ensurePrivateDirectory(this.configDir, { logger: this.#logger })
      await ensurePrivateDirectory(this.#folder.keysDir, { logger: this.#logger, noSymlink: true })
    } else {
      await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
        throw fileSystemError(error, 'create the directory', dirname(keyPath))
      })
    }
    const overwrite = options?.overwrite === true
    if (overwrite && (await pathExists(keyPath).catch(() => false))) {
      // Kept beside the old key until the binding is saved: a refused registration must not
      // cost the key it was asked to replace.
      const pending = `${keyPath}.${jkt}.pending`
      await writePrivateFile(pending, pem)
      this.#writtenKeys.set(jkt, { path: pending, pem, replaces: keyPath })
      return pending
    }
    try {
      await writePrivateFile(keyPath, pem, { overwrite })
    } catch (error) {
      if (errorCode(error) === 'EEXIST') {
        throw new RalioConfigError(
          `${keyPath} already exists; pass overwrite: true to replace it (the key it holds may still be bound), or choose another privateKeyPath`,
          { code: 'key_exists' },
        )
      }
      throw error
    }
    this.#writtenKeys.set(jkt, { path: keyPath, pem })
    return keyPath
  }

  /** The second save: `credentials.json` naming the binding and where its key is. */
  async #saveBinding(clientId: string, pem: string, jkt: string, options?: SaveCredentialsOptions) {
    await this.#serialise(async () => {
      const existing = await this.#readFile().catch(() => undefined)
      if (
        options?.overwrite !== true &&
        (existing !== undefined || (await pathExists(this.credentialsPath)))
      ) {
        throw new RalioConfigError(
          `Credentials already exist in ${this.credentialsPath}; pass overwrite: true to replace them`,
          { code: 'credentials_exist' },
        )
      }
      let keyPath = await this.#saveKey(pem, jkt, options)
      const replaces = this.#writtenKeys.get(jkt)?.replaces
      if (replaces !== undefined) {
        // The registration succeeded: only now does the new key take the old one's place.
        await rename(keyPath, replaces).catch((error: unknown) => {
          throw fileSystemError(error, 'replace', replaces)
        })
        keyPath = replaces
        this.#writtenKeys.set(jkt, { path: replaces, pem })
      }
      // A replaced binding's tokens are not this one's.
      const base: CredentialsFile = withAccessToken(
        { ...existing, client_id: clientId, key_jkt: jkt, key_path: keyPath },
        undefined,
      )
      delete base.refresh_token
      await ensurePrivateDirectory(this.configDir, { logger: this.#logger })
      await writePrivateFile(this.credentialsPath, prettyJson(base))
    })
  }

  async #readFile(): Promise<CredentialsFile | undefined> {
    const path = this.credentialsPath
    const read = await readPrivateFile(path, 'the credentials file', 'credentials_unreadable')
    if (read === undefined) return undefined
    const warning = sharedFileWarning(path, read.stats)
    if (warning !== undefined) this.#warnOnce(warning)
    try {
      return parseCredentialsFile(read.text, path)
    } catch (error) {
      throw new RalioConfigError(`${(error as Error).message}; run register() again or fix the file`, {
        code: 'credentials_invalid',
      })
    }
  }

  readonly #warnOnce = (message: string): void => {
    if (this.#warned.has(message)) return
    this.#warned.add(message)
    this.#logger.warn(message)
  }

  #serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#writes.then(task, task)
    this.#writes = next.catch(() => undefined)
    return next
  }
}
