import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { inspectable, readEnv } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import type {
  CredentialStore,
  RalioCredentials,
  SaveCredentialsOptions,
  StoredTokens,
} from './credential-store.js'
import { type CredentialsFile, parseCredentialsFile, tokensFromFile, withTokens } from './credentials-file.js'

/** Where a `FileCredentialStore` keeps the binding and its key. */
export interface FileCredentialStoreOptions {
  /** Default: `RALIO_CONFIG_DIR`, else `~/.ralio`. */
  configDir?: string
  /** Where the private key lives; default `<configDir>/keys/<jkt>.pem` (or `key_path` from the file). */
  privateKeyPath?: string
}

/**
 * The credential layout shared with the Python SDK and the CLI:
 * `<configDir>/credentials.json` (0600) and `<configDir>/keys/<jkt>.pem` (0600, PKCS#8),
 * the directories 0700. Every write is atomic (temp file + rename).
 */
export class FileCredentialStore implements CredentialStore {
  readonly configDir: string
  readonly #privateKeyPath: string | undefined
  /** Rewrites of credentials.json from this process happen one at a time. */
  #writes: Promise<unknown> = Promise.resolve()

  constructor(options: FileCredentialStoreOptions = {}) {
    this.configDir = expandHome(options.configDir ?? readEnv('RALIO_CONFIG_DIR') ?? join(homedir(), '.ralio'))
    this.#privateKeyPath =
      options.privateKeyPath === undefined ? undefined : expandHome(options.privateKeyPath)
    inspectable(this, () => ({ configDir: this.configDir }))
  }

  /** The path of `credentials.json` in the config directory. */
  get credentialsPath(): string {
    return join(this.configDir, 'credentials.json')
  }

  async load(): Promise<RalioCredentials | undefined> {
    const file = await this.#readFile()
    if (file === undefined) return undefined
    const keyPath = this.#keyPathFor(file.key_jkt, file.key_path)
    return {
      clientId: file.client_id,
      jkt: file.key_jkt,
      privateKey: await readPrivateKeyFile(keyPath),
      tokens: tokensFromFile(file),
    }
  }

  async saveCredentials(
    credentials: RalioCredentials,
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
          {
            code: 'invalid_private_key',
          },
        )
      }
      const keyPath = await this.saveKey(credentials.privateKey, credentials.jkt)
      const base: CredentialsFile = {
        ...existing,
        client_id: credentials.clientId,
        key_jkt: credentials.jkt,
        key_path: keyPath,
      }
      await writeFileAtomic(this.credentialsPath, prettyJson(withTokens(base, credentials.tokens)))
      return { keyPath }
    })
  }

  async saveRefreshToken(tokens: StoredTokens): Promise<void> {
    await this.#serialise(async () => {
      const file = await this.#readFile()
      if (file === undefined) return
      await writeFileAtomic(this.credentialsPath, prettyJson(withTokens(file, tokens)))
    })
  }

  async saveKey(pem: string, jkt: string): Promise<string> {
    const keyPath = this.#keyPathFor(jkt)
    await ensureDirectory(this.configDir)
    await ensureDirectory(dirname(keyPath))
    await writeFileAtomic(keyPath, pem)
    return keyPath
  }

  async deleteKey(jkt: string): Promise<void> {
    await rm(this.#keyPathFor(jkt), { force: true })
  }

  #keyPathFor(jkt: string, recorded?: string): string {
    if (this.#privateKeyPath !== undefined) return this.#privateKeyPath
    if (recorded !== undefined && recorded !== '') {
      const path = expandHome(recorded)
      return isAbsolute(path) ? path : resolve(this.configDir, path)
    }
    return join(this.configDir, 'keys', `${jkt}.pem`)
  }

  async #readFile(): Promise<CredentialsFile | undefined> {
    let text: string
    try {
      text = await readFile(this.credentialsPath, 'utf8')
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw new RalioConfigError(`Cannot read ${this.credentialsPath}: ${(error as Error).message}`, {
        code: 'credentials_unreadable',
        cause: error,
      })
    }
    try {
      return parseCredentialsFile(text, this.credentialsPath)
    } catch (error) {
      throw new RalioConfigError(`${(error as Error).message}; run register() again or fix the file`, {
        code: 'credentials_invalid',
      })
    }
  }

  #serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#writes.then(task, task)
    this.#writes = next.catch(() => undefined)
    return next
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
    if (isNotFound(error)) {
      throw new RalioConfigError(
        `Private key file ${keyPath} does not exist; register again or fix key_path`,
        {
          code: 'private_key_missing',
        },
      )
    }
    throw new RalioConfigError(`Cannot read private key file ${keyPath}: ${(error as Error).message}`, {
      code: 'private_key_unreadable',
      cause: error,
    })
  }
  // POSIX modes mean nothing on Windows, where ACLs govern access instead.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new RalioConfigError(
      `Private key file ${keyPath} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); fix it with: chmod 600 ${keyPath}`,
      { code: 'private_key_permissions' },
    )
  }
  return readFile(keyPath, 'utf8')
}

async function writeFileAtomic(path: string, contents: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(temporary, 'wx', 0o600)
  try {
    await handle.writeFile(contents, 'utf8')
    await handle.sync()
  } catch (error) {
    await handle.close()
    await unlink(temporary).catch(() => undefined)
    throw error
  }
  await handle.close()
  try {
    await rename(temporary, path)
  } catch (error) {
    await unlink(temporary).catch(() => undefined)
    throw error
  }
}

async function ensureDirectory(path: string): Promise<void> {
  if (await exists(path)) return
  await mkdir(path, { recursive: true, mode: 0o700 })
  // mkdir's mode is filtered by the umask; the spec wants exactly 0700.
  await chmod(path, 0o700)
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}

function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}
