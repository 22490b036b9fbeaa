import type { TracerProvider } from '@x/core'
import {
  createLogger,
  createTelemetry,
  createTransport,
  envLogLevel,
  inspectable,
  type Logger,
  type LogLevel,
  type Transport,
} from '@x/core/internal'
import { FileCredentialStore, RefreshTokenFile, readPrivateKeyFile } from '#file-store'
import { createRalioAuth, type RalioAuth } from './auth/ralio-auth.js'
import type { PrivateKeyInput } from './auth/signing-key.js'
import type { Binding } from './auth/token-manager.js'
import { endpointUrl, resolveBaseUrl } from './base-url.js'
import type { CredentialStore, StoredCredentials } from './credentials/credential-store.js'
import { loadStoredKey, storedKeyInput } from './credentials/stored-key.js'
import { RalioConfigError, ralioErrors } from './errors.js'
import { cachePromise } from './promise-cache.js'
import { Agents } from './resources/agents.js'
import { Chat } from './resources/chat.js'
import { PaymentIntents } from './resources/payment-intents.js'
import { Transactions } from './resources/transactions.js'
import { VERSION } from './version.js'

/** Options of `new RalioClient()`; every one has a default, mostly from the environment. */
export interface RalioClientOptions {
  /** Default: `RALIO_API_URL`, else `https://api.ralio.co`. */
  baseUrl?: string
  /** Where `register()` saved the credentials. Default: `RALIO_CONFIG_DIR`, else `~/.ralio`. */
  configDir?: string
  /** With `privateKey` or `privateKeyPath`: use this binding without any credential store. */
  clientId?: string
  /** A PKCS#8 PEM file (mode 0600) holding the binding's key. */
  privateKeyPath?: string
  /** The binding's key itself (PEM, JWK, CryptoKey or CryptoKeyPair), e.g. from a secret manager. */
  privateKey?: PrivateKeyInput
  /**
   * Where credentials come from; default the file store in `configDir`. Any object with
   * the official Node SDK's `load()` and `saveRefreshToken()` works.
   */
  credentialStore?: CredentialStore
  /**
   * Keep this instance's refresh token in this file (0600), so its token family survives
   * a restart. One path per running instance: never share it. Default: in memory only.
   */
  refreshTokenPath?: string
  /** Scopes to request; default the binding's whole grant. */
  scopes?: string[]
  /** Per attempt, for every request but chat. Default 60 s (chat: 180 s, as the server may work 120 s). */
  timeoutMs?: number
  /** Retries of safe requests. Default 2. Chat is only retried after a 429 or a refused connection. */
  maxRetries?: number
  /** Replaces `globalThis.fetch` (proxies, tests); read at call time. */
  fetch?: typeof globalThis.fetch
  /** Largest response body read, in bytes; a larger one fails with `response_too_large`. Default 10 MiB. */
  maxResponseBytes?: number
  /** Headers sent with every request (a call's own `headers` win). */
  defaultHeaders?: Record<string, string>
  /** A level for console logging, or your logger. Everything logged is redacted. Default `RALIO_LOG`, else `'warn'`. */
  logger?: Logger | LogLevel
  /** Allow `http://` to a host other than this machine. Tokens and payments then travel unencrypted. */
  allowInsecureHttp?: boolean
  /**
   * Where spans go. Default: the provider the application registered through
   * `@opentelemetry/api` (an optional peer dependency; e.g. `provider.register()`), found
   * whenever a span starts; with none registered nothing is recorded. Pass a provider to use
   * one that is not registered globally; `false` records nothing. See "Telemetry" in the README.
   */
  tracerProvider?: TracerProvider | false
}

const chatTimeoutMs = 180_000

/**
 * The Ralio API client. With no options it uses the binding `register()` saved:
 *
 * ```ts
 * await using client = new RalioClient()
 * const { reply } = await client.chat.send({ message: 'Pay £500 to Bob for the April invoice' })
 * ```
 */
export class RalioClient {
  readonly agents: Agents
  readonly chat: Chat
  readonly transactions: Transactions
  readonly paymentIntents: PaymentIntents
  readonly baseUrl: string

  readonly #transport: Transport
  readonly #auth: RalioAuth
  readonly #binding: () => Promise<Binding>
  #clientId: string | undefined

  /**
   * Builds a client and loads its binding now, so missing or unreadable credentials fail
   * here rather than at the first request (the official Node SDK's entry point).
   */
  static async create(options: RalioClientOptions = {}): Promise<RalioClient> {
    const client = new RalioClient(options)
    try {
      await client.#binding()
    } catch (error) {
      client.close()
      throw error
    }
    return client
  }

  constructor(options: RalioClientOptions = {}) {
    const logger = createLogger(options.logger ?? envLogLevel('RALIO_LOG'), '@x/ralio')
    const baseUrl = resolveBaseUrl(options.baseUrl, options.allowInsecureHttp, logger)
    this.baseUrl = baseUrl.href.replace(/\/+$/, '')
    const store = credentialStoreFrom(options, logger)
    this.#clientId = options.clientId

    // A failed load (file missing, bad key) is retried by the next call, not cached.
    this.#binding = cachePromise(async () => {
      const loaded = await loadBinding(store, options.clientId)
      this.#clientId = loaded.clientId
      return loaded
    })
    const transportOptions = {
      baseUrl: this.baseUrl,
      userAgent: `@x/ralio/${VERSION}`,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: options.fetch,
      maxResponseBytes: options.maxResponseBytes,
      headers: options.defaultHeaders,
      errors: ralioErrors,
      telemetry: createTelemetry({
        name: '@x/ralio',
        version: VERSION,
        namespace: 'ralio',
        tracerProvider: options.tracerProvider,
      }),
    }
    this.#auth = createRalioAuth({
      transport: transportOptions,
      logger,
      tokenUrl: endpointUrl(baseUrl, '/oauth/token'),
      binding: this.#binding,
      scopes: options.scopes,
      store,
    })
    this.#transport = createTransport({ ...transportOptions, logger, auth: this.#auth.resourceAuth })

    this.agents = new Agents(this.#transport)
    this.chat = new Chat({
      transport: this.#transport,
      telemetry: transportOptions.telemetry,
      // A binding is pinned to one agent, so chat needs no agent id: it is looked up once.
      agentId: async (signal) => (await this.agents.pinned({ signal })).id,
      timeoutMs: options.timeoutMs ?? chatTimeoutMs,
    })
    this.transactions = new Transactions(this.#transport)
    this.paymentIntents = new PaymentIntents(this.#transport)
    inspectable(this, () => ({ baseUrl: this.baseUrl, clientId: this.#clientId }))
  }

  /** The binding's client id, once known (given, or after the first request loaded it). */
  get clientId(): string | undefined {
    return this.#clientId
  }

  /** Aborts requests in flight; later calls throw. */
  close(): void {
    this.#transport.close()
    this.#auth.close()
  }

  /** `using client = …`: closes the client at the end of the scope. */
  [Symbol.dispose](): void {
    this.close()
  }

  /** `await using client = …`: closes the client at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}

function credentialStoreFrom(options: RalioClientOptions, logger: Logger | LogLevel): CredentialStore {
  const explicitKey = options.privateKey !== undefined || options.privateKeyPath !== undefined
  if (explicitKey && options.credentialStore !== undefined) {
    throw new RalioConfigError('Pass either credentialStore or privateKey/privateKeyPath, not both', {
      code: 'conflicting_options',
    })
  }
  if (options.refreshTokenPath !== undefined && options.credentialStore !== undefined) {
    throw new RalioConfigError(
      'Pass either credentialStore or refreshTokenPath, not both: a custom store keeps the refresh token in its saveRefreshToken()',
      { code: 'conflicting_options' },
    )
  }
  if (options.privateKey !== undefined && options.privateKeyPath !== undefined) {
    throw new RalioConfigError('Pass either privateKey or privateKeyPath, not both', {
      code: 'conflicting_options',
    })
  }
  if (!explicitKey) {
    return (
      options.credentialStore ??
      new FileCredentialStore({
        configDir: options.configDir,
        refreshTokenPath: options.refreshTokenPath,
        logger,
      })
    )
  }
  const clientId = options.clientId
  if (clientId === undefined || clientId === '') {
    throw new RalioConfigError(
      'privateKey and privateKeyPath need clientId (the cb_… id register() returned)',
      { code: 'missing_client_id' },
    )
  }
  return new ExplicitKeyStore(
    clientId,
    options.privateKey,
    options.privateKeyPath,
    new RefreshTokenFile({ path: options.refreshTokenPath }),
    createLogger(logger, '@x/ralio'),
  )
}

/** `{ clientId, privateKey | privateKeyPath }`: reads the key when first needed. */
class ExplicitKeyStore implements CredentialStore {
  readonly #clientId: string
  readonly #privateKey: PrivateKeyInput | undefined
  readonly #privateKeyPath: string | undefined
  readonly #refreshToken: RefreshTokenFile
  readonly #logger: Logger

  constructor(
    clientId: string,
    privateKey: PrivateKeyInput | undefined,
    privateKeyPath: string | undefined,
    refreshToken: RefreshTokenFile,
    logger: Logger,
  ) {
    this.#logger = logger
    this.#clientId = clientId
    this.#privateKey = privateKey
    this.#privateKeyPath = privateKeyPath
    this.#refreshToken = refreshToken
  }

  async load(): Promise<StoredCredentials> {
    return {
      clientId: this.#clientId,
      privateKey:
        this.#privateKey ??
        (await readPrivateKeyFile(this.#privateKeyPath!, (message) => this.#logger.warn(message))),
      refreshToken: await this.#refreshToken.load(),
    }
  }

  saveRefreshToken(refreshToken: string | null): Promise<void> {
    return this.#refreshToken.save(refreshToken)
  }
}

/** Turns what any store's `load()` gave (ours or the official Node SDK's shape) into a binding. */
export async function loadBinding(store: CredentialStore, clientId: string | undefined): Promise<Binding> {
  const credentials = await store.load()
  const where = store instanceof FileCredentialStore ? ` in ${store.configDir}` : ''
  if (
    credentials == null ||
    (credentials.clientId === undefined && storedKeyInput(credentials) === undefined)
  ) {
    const hint =
      'Register this host first: register({ ticket }) (or set RALIO_REGISTRATION_TICKET), or pass { clientId, privateKey }.'
    throw new RalioConfigError(`No Ralio credentials found${where}. ${hint}`, {
      code: 'credentials_missing',
      hint,
    })
  }
  if (typeof credentials.clientId !== 'string' || credentials.clientId === '') {
    throw new RalioConfigError(
      `The credential store${where} gave no clientId; it must return the binding's cb_… id with its key`,
      { code: 'credentials_invalid' },
    )
  }
  if (clientId !== undefined && clientId !== credentials.clientId) {
    throw new RalioConfigError(
      `clientId ${clientId} does not match the stored binding ${credentials.clientId}; drop the clientId option or point configDir at the right credentials`,
      { code: 'client_id_mismatch' },
    )
  }
  const key = await loadStoredKey(credentials, where)
  if (key === undefined) {
    throw new RalioConfigError(
      `The credential store${where} gave no key for ${credentials.clientId}; return privateKeyPem or privateJwk`,
      { code: 'credentials_invalid' },
    )
  }
  return {
    clientId: credentials.clientId,
    key,
    tokens: credentials.tokens,
    refreshToken: credentials.refreshToken,
  }
}
