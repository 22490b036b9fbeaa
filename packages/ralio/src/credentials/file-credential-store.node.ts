import { randomBytes } from 'node:crypto'
import { chmod, link, mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { createLogger, inspectable, type Logger, type LogLevel, readEnv } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type {
  RalioCredentials,
  RegisteredCredentials,
  RegistrationLock,
  SaveCredentialsOptions,
  StoredTokens,
  WritableCredentialStore,
} from './credential-store.js'
import {
  type CredentialsFile,
  parseCredentialsFile,
  tokensFromFile,
  withAccessToken,
} from './credentials-file.js'
import { errorCode, tryFolderLock } from './folder-lock.js'

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
  /** Where warnings go (a group-readable `credentials.json`). Default: console at `warn`. */
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
 * Refresh tokens are per instance: the client keeps its family in memory, and in a file
 * of its own only when `refreshTokenPath` or `refreshTokenSlot` names one. A
 * `refresh_token` in `credentials.json` is never used or written: presented by two
 * processes it would be a replay. `credentials.json` is written only by registration.
 */
export class FileCredentialStore implements WritableCredentialStore {
  readonly configDir: string
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
  #warnedMode = false

  constructor(options: FileCredentialStoreOptions = {}) {
    if (options.refreshTokenPath !== undefined && options.refreshTokenSlot !== undefined) {
      throw new RalioConfigError('Pass either refreshTokenPath or refreshTokenSlot, not both', {
        code: 'conflicting_options',
      })
    }
    this.configDir = resolve(
      expandHome(options.configDir ?? readEnv('RALIO_CONFIG_DIR') ?? join(homedir(), '.ralio')),
    )
    this.#privateKeyPath =
      options.privateKeyPath === undefined ? undefined : resolve(expandHome(options.privateKeyPath))
    this.#refreshToken = new RefreshTokenFile(
      options.refreshTokenSlot !== undefined
        ? {
            path: join(this.configDir, 'refresh-tokens', `${safeSlot(options.refreshTokenSlot)}.json`),
            json: true,
          }
        : options.refreshTokenPath !== undefined
          ? { path: options.refreshTokenPath }
          : {},
    )
    this.#logger = createLogger(options.logger, '@x/ralio')
    inspectable(this, () => ({ configDir: this.configDir }))
  }

  /** The path of `credentials.json` in the config directory. */
  get credentialsPath(): string {
    return join(this.configDir, 'credentials.json')
  }

  async load(): Promise<RalioCredentials | undefined> {
    const file = await this.#readFile()
    if (file === undefined) return undefined
    const keyPath = await this.#keyPathToRead(file)
    const credentials: RalioCredentials = {
      clientId: file.client_id,
      privateKey: await readPrivateKeyFile(keyPath),
      refreshToken: await this.#refreshToken.load(),
    }
    if (file.key_jkt) credentials.jkt = file.key_jkt
    const tokens = tokensFromFile(file)
    if (tokens !== undefined) credentials.tokens = tokens
    return credentials
  }

  async saveCredentials(
    credentials: RegisteredCredentials,
    options?: SaveCredentialsOptions,
  ): Promise<{ keyPath?: string }> {
    return this.#serialise(async () => {
      const existing = await this.#readFile().catch(() => undefined)
      if (options?.overwrite !== true && (existing !== undefined || (await exists(this.credentialsPath)))) {
        throw new RalioConfigError(
          `Credentials already exist in ${this.credentialsPath}; pass overwrite: true to replace them`,
          { code: 'credentials_exist' },
        )
      }
      if (typeof credentials.privateKey !== 'string') {
        throw new RalioConfigError(
          'FileCredentialStore stores PEM keys only; pass the key as a PKCS#8 PEM string',
          { code: 'invalid_private_key' },
        )
      }
      const written = this.#writtenKeys.get(credentials.jkt)
      let keyPath =
        written?.pem === credentials.privateKey
          ? written.path
          : await this.saveKey(credentials.privateKey, credentials.jkt, options)
      const replaces = this.#writtenKeys.get(credentials.jkt)?.replaces
      if (replaces !== undefined) {
        // The registration succeeded: only now does the new key take the old one's place.
        await rename(keyPath, replaces).catch((error: unknown) => {
          throw fileSystemError(error, 'replace', replaces)
        })
        keyPath = replaces
        this.#writtenKeys.set(credentials.jkt, { path: replaces, pem: credentials.privateKey })
      }
      // A replaced binding's tokens are not this one's.
      const base: CredentialsFile = withAccessToken(
        { ...existing, client_id: credentials.clientId, key_jkt: credentials.jkt, key_path: keyPath },
        undefined,
      )
      delete base.refresh_token
      await this.#ensureDirectory(this.configDir)
      await writeFileAtomic(this.credentialsPath, prettyJson(base))
      return { keyPath }
    })
  }

  async saveAccessToken(tokens: StoredTokens): Promise<void> {
    await this.#serialise(async () => {
      const file = await this.#readFile()
      if (file === undefined) return
      await writeFileAtomic(this.credentialsPath, prettyJson(withAccessToken(file, tokens)))
    })
  }

  async saveRefreshToken(refreshToken: string | null): Promise<void> {
    await this.#refreshToken.save(refreshToken)
  }

  async saveKey(pem: string, jkt: string, options?: SaveCredentialsOptions): Promise<string> {
    const keyPath = this.#keyPathToWrite(jkt)
    if (this.#privateKeyPath === undefined) {
      await this.#ensureDirectory(this.configDir)
      await this.#ensureDirectory(dirname(keyPath))
    } else {
      await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
        throw fileSystemError(error, 'create the directory', dirname(keyPath))
      })
    }
    const overwrite = options?.overwrite === true
    if (overwrite && (await exists(keyPath).catch(() => false))) {
      // Kept beside the old key until the binding is saved: a refused registration must not
      // cost the key it was asked to replace.
      const pending = `${keyPath}.${jkt}.pending`
      await writeFileAtomic(pending, pem)
      this.#writtenKeys.set(jkt, { path: pending, pem, replaces: keyPath })
      return pending
    }
    try {
      await writeFileAtomic(keyPath, pem, { overwrite })
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

  async deleteKey(jkt: string): Promise<void> {
    const written = this.#writtenKeys.get(jkt)
    if (written === undefined) return
    this.#writtenKeys.delete(jkt)
    // Only while the file still holds what we wrote: it may have been replaced since.
    const current = await readFile(written.path, 'utf8').catch(() => undefined)
    if (current === written.pem) await rm(written.path, { force: true })
  }

  async lockRegistration(): Promise<RegistrationLock> {
    await this.#ensureDirectory(this.configDir)
    const path = join(this.configDir, '.registration.lock')
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

  /** `key_path` as the Python SDK reads it (from the working directory), then against the folder. */
  async #keyPathToRead(file: CredentialsFile): Promise<string> {
    if (this.#privateKeyPath !== undefined) return this.#privateKeyPath
    const recorded = typeof file.key_path === 'string' && file.key_path !== '' ? file.key_path : undefined
    if (recorded === undefined) return join(this.configDir, 'keys', `${file.key_jkt}.pem`)
    const path = expandHome(recorded)
    if (isAbsolute(path)) return path
    const fromWorkingDirectory = resolve(path)
    if (await exists(fromWorkingDirectory).catch(() => true)) return fromWorkingDirectory
    return resolve(this.configDir, path)
  }

  /** Always absolute, so any reader finds it whatever its working directory. */
  #keyPathToWrite(jkt: string): string {
    return this.#privateKeyPath ?? join(this.configDir, 'keys', `${jkt}.pem`)
  }

  async #readFile(): Promise<CredentialsFile | undefined> {
    const path = this.credentialsPath
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw fileSystemError(error, 'read', path, 'credentials_unreadable')
    }
    await this.#warnIfShared(path)
    try {
      return parseCredentialsFile(text, path)
    } catch (error) {
      throw new RalioConfigError(`${(error as Error).message}; run register() again or fix the file`, {
        code: 'credentials_invalid',
      })
    }
  }

  /** credentials.json holds tokens: say so once when others on the host can read it. */
  async #warnIfShared(path: string): Promise<void> {
    if (this.#warnedMode || process.platform === 'win32') return
    const mode = await stat(path).then(
      (stats) => stats.mode & 0o777,
      () => 0,
    )
    if ((mode & 0o077) === 0) return
    this.#warnedMode = true
    this.#logger.warn(
      `${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}) and holds tokens; fix it with: chmod 600 ${path}`,
    )
  }

  async #ensureDirectory(path: string): Promise<void> {
    try {
      await ensureDirectory(path)
    } catch (error) {
      throw fileSystemError(error, 'create the directory', path)
    }
  }

  #serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#writes.then(task, task)
    this.#writes = next.catch(() => undefined)
    return next
  }
}

/**
 * One instance's refresh token in a file of its own (without a path, nothing is kept:
 * the token manager holds its family in memory). The file is read in either official
 * format (the Node SDK's bare token, the Python SDK's `{"refresh_token": …}`) and
 * rewritten in the one it had.
 */
export class RefreshTokenFile {
  readonly #path: string | undefined
  #json: boolean

  constructor(options: { path?: string | undefined; json?: boolean } = {}) {
    this.#path = options.path === undefined ? undefined : resolve(expandHome(options.path))
    this.#json = options.json === true
  }

  async load(): Promise<string | null> {
    if (this.#path === undefined) return null
    let text: string
    try {
      text = await readFile(this.#path, 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null
      throw fileSystemError(error, 'read', this.#path, 'refresh_token_unreadable')
    }
    const trimmed = text.trim()
    if (!trimmed.startsWith('{')) return trimmed === '' ? null : trimmed
    this.#json = true
    const parsed = safeJson(trimmed) as { refresh_token?: unknown } | undefined
    return typeof parsed?.refresh_token === 'string' && parsed.refresh_token !== ''
      ? parsed.refresh_token
      : null
  }

  async save(refreshToken: string | null): Promise<void> {
    const path = this.#path
    if (path === undefined) return
    try {
      if (refreshToken === null) {
        await rm(path, { force: true })
        return
      }
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      await writeFileAtomic(
        path,
        this.#json ? prettyJson({ refresh_token: refreshToken }) : `${refreshToken}\n`,
      )
    } catch (error) {
      throw fileSystemError(error, 'write', path)
    }
  }
}

/**
 * Reads a PKCS#8 PEM key, refusing one that group or others can read: a key anyone
 * on the host can copy is not a credential bound to this host.
 */
export async function readPrivateKeyFile(path: string): Promise<string> {
  const keyPath = expandHome(path)
  let mode: number
  try {
    mode = (await stat(keyPath)).mode
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new RalioConfigError(
        `Private key file ${keyPath} does not exist; register again or fix key_path`,
        { code: 'private_key_missing' },
      )
    }
    throw fileSystemError(error, 'read the private key file', keyPath, 'private_key_unreadable')
  }
  // POSIX modes mean nothing on Windows, where ACLs govern access instead.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new RalioConfigError(
      `Private key file ${keyPath} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); fix it with: chmod 600 ${keyPath}`,
      { code: 'private_key_permissions' },
    )
  }
  try {
    return await readFile(keyPath, 'utf8')
  } catch (error) {
    throw fileSystemError(error, 'read the private key file', keyPath, 'private_key_unreadable')
  }
}

/**
 * A file-system failure as a `RalioConfigError` naming the path and what to do; the
 * original error stays as `cause`.
 */
function fileSystemError(error: unknown, action: string, path: string, code?: string): RalioConfigError {
  if (RalioConfigError.isInstance(error)) return error
  const reason = errorCode(error)
  const fix =
    reason === 'EACCES' || reason === 'EPERM'
      ? `permission denied: it belongs to another user or its mode forbids it; run as its owner, fix it (chown/chmod ${path}), or point configDir elsewhere`
      : reason === 'EROFS'
        ? 'the file system is read-only; point configDir at a writable directory'
        : reason === 'ENOSPC'
          ? 'the disk is full; free space and try again'
          : reason === 'ENOTDIR' || reason === 'EISDIR'
            ? 'something of the wrong kind (a file for a directory, or the reverse) is in the way; remove or rename it'
            : `${reason ?? (error as Error | undefined)?.message ?? 'unknown error'}; check the path and its permissions`
  return new RalioConfigError(`Cannot ${action} ${path}: ${fix}`, {
    code:
      code ?? (reason === 'EACCES' || reason === 'EPERM' ? 'file_permission_denied' : 'file_system_error'),
    cause: error,
  })
}

async function writeFileAtomic(
  path: string,
  contents: string,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temporary, 'wx', 0o600)
    try {
      await handle.writeFile(contents, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    // link() refuses an existing target atomically; rename() replaces it atomically.
    if (options.overwrite === false) await link(temporary, path)
    else await rename(temporary, path)
  } catch (error) {
    if (errorCode(error) === 'EEXIST') throw error
    throw fileSystemError(error, 'write', path)
  } finally {
    await unlink(temporary).catch(() => undefined)
  }
}

async function ensureDirectory(path: string): Promise<void> {
  if (await exists(path)) return
  await mkdir(path, { recursive: true, mode: 0o700 })
  // mkdir's mode is filtered by the umask; the layout wants exactly 0700.
  await chmod(path, 0o700)
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false
    throw error
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}

/** The Python SDK's slot rule: letters, digits, `.`, `_` and `-` kept, anything else `_`. */
function safeSlot(slot: string): string {
  const cleaned = slot.replace(/[^\p{L}\p{N}._-]/gu, '_')
  if (cleaned === '')
    throw new RalioConfigError('refreshTokenSlot cannot be empty', { code: 'invalid_config' })
  return cleaned
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
