import {
  createLogger,
  createTransport,
  inspectable,
  type Logger,
  type LogLevel,
  type Transport,
} from '@x/core/internal'
import { FileCredentialStore, readPrivateKeyFile } from '#file-store'
import { resourceAuthHook, tokenEndpointAuthHook } from './auth/dpop-auth-hook.js'
import { createDpopProofFactory, type DpopProofFactory } from './auth/dpop-proof.js'
import { DpopSession } from './auth/dpop-session.js'
import { importSigningKey, type PrivateKeyInput } from './auth/signing-key.js'
import { type Binding, TokenManager } from './auth/token-manager.js'
import { endpointUrl, resolveBaseUrl } from './base-url.js'
import type { CredentialStore } from './credentials/credential-store.js'
import { MemoryCredentialStore } from './credentials/memory-credential-store.js'
import { RalioConfigError, ralioErrors } from './errors.js'
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
  /** Where credentials come from; default the file store in `configDir`. */
  credentialStore?: CredentialStore
  /** Scopes to request; default the binding's whole grant. */
  scopes?: string[]
  /** Per attempt, for every request but chat. Default 60 s (chat: 180 s, as the server may work 120 s). */
  timeoutMs?: number
  /** Retries of safe requests. Default 2. Chat is only retried after a 429 or a refused connection. */
  maxRetries?: number
  /** Replaces `globalThis.fetch` (proxies, tests); read at call time. */
  fetch?: typeof globalThis.fetch
  /** A level for console logging, or your logger. Everything logged is redacted. Default `'warn'`. */
  logger?: Logger | LogLevel
  /** Allow `http://` to a host other than this machine. Tokens and payments then travel unencrypted. */
  allowInsecureHttp?: boolean
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
  readonly #tokenTransport: Transport
  readonly #binding: () => Promise<Binding>
  #clientId: string | undefined
  #agentId: Promise<string> | undefined

  constructor(options: RalioClientOptions = {}) {
    const baseUrl = resolveBaseUrl(options.baseUrl, options.allowInsecureHttp)
    this.baseUrl = baseUrl.href.replace(/\/+$/, '')
    const logger = createLogger(options.logger, '@x/ralio')
    const store = credentialStoreFrom(options)
    this.#clientId = options.clientId

    let binding: Promise<Binding> | undefined
    this.#binding = () => {
      binding ??= loadBinding(store, options.clientId).then((loaded) => {
        this.#clientId = loaded.clientId
        return loaded
      })
      // A failed load (file missing, bad key) is retried by the next call, not cached.
      binding.catch(() => {
        binding = undefined
      })
      return binding
    }
    let proofFactory: Promise<DpopProofFactory> | undefined
    const proof: DpopProofFactory = async (input) => {
      proofFactory ??= this.#binding().then((loaded) => createDpopProofFactory(loaded.key))
      proofFactory.catch(() => {
        proofFactory = undefined
      })
      return (await proofFactory)(input)
    }

    const session = new DpopSession()
    const transportOptions = {
      baseUrl: this.baseUrl,
      userAgent: `@x/ralio/${VERSION}`,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: options.fetch,
      logger,
      errors: ralioErrors,
    }
    this.#tokenTransport = createTransport({
      ...transportOptions,
      auth: tokenEndpointAuthHook(session, proof),
    })
    const tokens = new TokenManager({
      transport: this.#tokenTransport,
      tokenUrl: endpointUrl(baseUrl, '/oauth/token'),
      binding: this.#binding,
      session,
      scopes: options.scopes,
      store,
      logger,
    })
    this.#transport = createTransport({ ...transportOptions, auth: resourceAuthHook(tokens, session, proof) })

    this.agents = new Agents(this.#transport)
    this.chat = new Chat({
      transport: this.#transport,
      agentId: (signal) => this.#resolveAgentId(signal),
      timeoutMs: options.timeoutMs ?? chatTimeoutMs,
      idleTimeoutMs: options.timeoutMs ?? chatTimeoutMs,
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
    this.#tokenTransport.close()
  }

  /** `await using client = new RalioClient()` closes the client at the end of the block, like `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }

  /** A binding is pinned to one agent, so chat needs no agent id: it is looked up once. */
  #resolveAgentId(signal?: AbortSignal): Promise<string> {
    this.#agentId ??= this.agents.list({ signal }).then((agents) => {
      if (agents.length !== 1) {
        throw new RalioConfigError(
          agents.length === 0
            ? 'This binding sees no agent; check in the console that its agent still exists'
            : `This binding sees ${agents.length} agents; pass agentId to choose one`,
          { code: 'agent_ambiguous' },
        )
      }
      return agents[0]!.id
    })
    this.#agentId.catch(() => {
      this.#agentId = undefined
    })
    return this.#agentId
  }
}

function credentialStoreFrom(options: RalioClientOptions): CredentialStore {
  const explicitKey = options.privateKey !== undefined || options.privateKeyPath !== undefined
  if (explicitKey && options.credentialStore !== undefined) {
    throw new RalioConfigError('Pass either credentialStore or privateKey/privateKeyPath, not both', {
      code: 'conflicting_options',
    })
  }
  if (options.privateKey !== undefined && options.privateKeyPath !== undefined) {
    throw new RalioConfigError('Pass either privateKey or privateKeyPath, not both', {
      code: 'conflicting_options',
    })
  }
  if (!explicitKey)
    return options.credentialStore ?? new FileCredentialStore({ configDir: options.configDir })
  const clientId = options.clientId
  if (clientId === undefined || clientId === '') {
    throw new RalioConfigError(
      'privateKey and privateKeyPath need clientId (the cb_… id register() returned)',
      {
        code: 'missing_client_id',
      },
    )
  }
  return new ExplicitKeyStore(clientId, options.privateKey, options.privateKeyPath)
}

/** `{ clientId, privateKey | privateKeyPath }`: a store that reads the key when first needed. */
class ExplicitKeyStore extends MemoryCredentialStore {
  readonly #clientId: string
  readonly #privateKey: PrivateKeyInput | undefined
  readonly #privateKeyPath: string | undefined
  #loaded = false

  constructor(clientId: string, privateKey: PrivateKeyInput | undefined, privateKeyPath: string | undefined) {
    super()
    this.#clientId = clientId
    this.#privateKey = privateKey
    this.#privateKeyPath = privateKeyPath
  }

  override async load() {
    if (!this.#loaded) {
      const privateKey = this.#privateKey ?? (await readPrivateKeyFile(this.#privateKeyPath!))
      const key = await importSigningKey(privateKey)
      await this.saveCredentials({ clientId: this.#clientId, jkt: key.jkt, privateKey }, { overwrite: true })
      this.#loaded = true
    }
    return super.load()
  }
}

async function loadBinding(store: CredentialStore, clientId: string | undefined): Promise<Binding> {
  const credentials = await store.load()
  if (credentials === undefined) {
    const where = store instanceof FileCredentialStore ? ` in ${store.configDir}` : ''
    throw new RalioConfigError(
      `No Ralio credentials found${where}. Register this host first: register({ ticket }) (or set RALIO_REGISTRATION_TICKET), or pass { clientId, privateKey }.`,
      { code: 'credentials_missing' },
    )
  }
  if (clientId !== undefined && clientId !== credentials.clientId) {
    throw new RalioConfigError(
      `clientId ${clientId} does not match the stored binding ${credentials.clientId}; drop the clientId option or point configDir at the right credentials`,
      { code: 'client_id_mismatch' },
    )
  }
  const key = await importSigningKey(credentials.privateKey)
  if (credentials.jkt !== '' && credentials.jkt !== key.jkt) {
    throw new RalioConfigError(
      `The stored key's thumbprint (${key.jkt}) is not the binding's key_jkt (${credentials.jkt}); the key file belongs to another binding`,
      { code: 'key_mismatch' },
    )
  }
  return { clientId: credentials.clientId, key, tokens: credentials.tokens }
}
