import { createLogger, createSecretScope, createTransport, type Logger, readEnv } from '@x/core/internal'
import { FileCredentialStore } from '#file-store'
import { createRalioAuth } from './auth/ralio-auth.js'
import { generateSigningKey, type SigningKey } from './auth/signing-key.js'
import { endpointUrl, resolveBaseUrl } from './base-url.js'
import type {
  CredentialStore,
  RegistrationLock,
  StoredTokens,
  WritableCredentialStore,
} from './credentials/credential-store.js'
import {
  RalioAPIError,
  RalioConfigError,
  RalioConnectionError,
  RalioRegistrationError,
  ralioErrors,
  registrationErrors,
} from './errors.js'
import { registrationResponseSchema } from './schemas/registration-response.js'
import { VERSION } from './version.js'

/** Options of `register()`; every one has a default. */
export interface RegisterOptions {
  /** The one-time `ralio-reg-…` ticket from the console. Default: `RALIO_REGISTRATION_TICKET`. */
  ticket?: string
  /** Default: `RALIO_API_URL`, else `https://api.ralio.co`. */
  baseUrl?: string
  /** Default: `RALIO_CONFIG_DIR`, else `~/.ralio`. */
  configDir?: string
  /**
   * Where to write the new key; default `<configDir>/keys/<jkt>.pem`. A relative path is
   * taken from the working directory; `credentials.json` records it absolute. An existing
   * file there is refused (`key_exists`) unless `overwrite` is set.
   */
  privateKeyPath?: string
  /** Scopes to ask for, within the ticket's ceiling; default: the whole ceiling. */
  requestedScopes?: string[]
  /** Free-form facts about this host, shown to the owner. */
  clientMetadata?: Record<string, unknown>
  /**
   * Where to keep the binding; default the file store in `configDir`. Any official-SDK
   * `WritableCredentialStore` works: it gets `saveCredentials({ privateKeyPem, publicJwk, kid })`
   * before the ticket is sent, then `saveCredentials({ clientId, privateKeyPem, publicJwk, kid, refreshToken })`.
   */
  credentialStore?: WritableCredentialStore
  /** Replace credentials already stored, and an existing file at `privateKeyPath`. */
  overwrite?: boolean
  /** Replaces `globalThis.fetch` (proxies, tests: a sandbox's in-process `fetch`); read at call time. */
  fetch?: typeof globalThis.fetch
  /** Allow `http://` to a host other than this machine. */
  allowInsecureHttp?: boolean
  signal?: AbortSignal
}

/** What `register()` made: the new binding. */
export interface Registration {
  clientId: string
  /** What the binding may do: the scopes of its first token. */
  scopes: string[]
  /** The key's RFC 7638 thumbprint. */
  jkt: string
  /** Where the private key was written (file store only). */
  keyPath?: string
}

/**
 * Binds this host to an agent with a one-time ticket: generates a P-256 key here (the
 * private half never leaves), registers its public half, stores the binding and mints
 * a first token. Active as soon as this returns.
 *
 * Exclusive per folder (across processes): a second registration into the same
 * `configDir` while one runs fails with `RalioConfigError` (`registration_locked`)
 * before its ticket is spent.
 */
export async function register(options: RegisterOptions = {}): Promise<Registration> {
  const ticket = options.ticket ?? readEnv('RALIO_REGISTRATION_TICKET')
  if (ticket === undefined || ticket.trim() === '') {
    throw new RalioConfigError(
      'register() needs a registration ticket: pass { ticket } or set RALIO_REGISTRATION_TICKET (the owner mints one in the console)',
      { code: 'missing_ticket' },
    )
  }
  const logger = createLogger(undefined, '@x/ralio')
  const baseUrl = resolveBaseUrl(options.baseUrl, options.allowInsecureHttp, logger)
  const store =
    options.credentialStore ??
    new FileCredentialStore({ configDir: options.configDir, privateKeyPath: options.privateKeyPath, logger })
  if (typeof (store as Partial<WritableCredentialStore>).saveCredentials !== 'function') {
    throw new RalioConfigError(
      'register() needs a credential store with saveCredentials() to keep the new binding; this one can only load',
      { code: 'store_not_writable' },
    )
  }
  // Taken before anything can spend the ticket, so a registration that loses keeps it.
  const lock: RegistrationLock | undefined = await store.lockRegistration?.()
  try {
    return await registerLocked(ticket.trim(), baseUrl, store, logger, options)
  } finally {
    // Never hides the outcome: a lock left behind is taken over once its process exits.
    await lock?.release().catch((error: unknown) => {
      logger.warn('could not release the registration lock', { error: (error as Error).message })
    })
  }
}

/** Removes the key this registration wrote; a failure to do so must not hide why it is removed. */
async function discardKey(store: WritableCredentialStore, jkt: string, logger: Logger): Promise<void> {
  await store.deleteKey?.(jkt).catch((error: unknown) => {
    logger.warn('could not remove the unused key this registration wrote', {
      error: (error as Error).message,
    })
  })
}

async function registerLocked(
  ticket: string,
  baseUrl: URL,
  store: WritableCredentialStore,
  logger: Logger,
  options: RegisterOptions,
): Promise<Registration> {
  // Checked before the ticket is spent: a refusal afterwards would waste the one-time ticket.
  if (options.overwrite !== true) await refuseExisting(store)

  const { key, pem } = await generateSigningKey()
  // The official contract's first save: the key alone, kept before the request, so a key
  // the server may have bound is never lost with the answer. The file store refuses an
  // existing file (key_exists) unless overwrite is set, still before the ticket is spent.
  const keyMaterial = { privateKeyPem: pem, publicJwk: { ...key.publicJwk }, kid: key.jkt }
  await store.saveCredentials(keyMaterial, { overwrite: options.overwrite })
  const keyPath = store instanceof FileCredentialStore ? store.keyPathOf(key.jkt) : undefined
  // A server echoing the one-time ticket must not get it into an error or a log line.
  const secrets = createSecretScope()
  secrets.add(ticket, 'ticket')
  const transport = createTransport({
    baseUrl: baseUrl.href,
    userAgent: `@x/ralio/${VERSION}`,
    fetch: options.fetch,
    logger,
    errors: registrationErrors,
    secrets,
  })
  let response: { clientId?: string | undefined; fingerprint?: string | undefined }
  try {
    response = await transport.request({
      method: 'POST',
      path: '/api/credential-bindings/registrations',
      json: {
        ticket,
        public_key_jwk: key.publicJwk,
        requested_scopes: options.requestedScopes?.length ? options.requestedScopes : undefined,
        client_metadata: options.clientMetadata,
      },
      schema: registrationResponseSchema,
      signal: options.signal,
    })
  } catch (error) {
    // A definite refusal (4xx) bound nothing, so its key is useless; after a lost answer or
    // a server error (5xx) it may be bound.
    if (RalioRegistrationError.isInstance(error) && (error.statusCode ?? 500) < 500) {
      await discardKey(store, key.jkt, logger)
    } else if (
      keyPath !== undefined &&
      (RalioConnectionError.isInstance(error) || RalioRegistrationError.isInstance(error))
    ) {
      logger.warn(`registration outcome unknown; the generated key was kept at ${keyPath}`)
    }
    throw error
  } finally {
    transport.close()
  }

  if (response.clientId === undefined) {
    throw new RalioRegistrationError({
      code: 'approval_required',
      message: `The server answered without a client_id: it still requires owner approval, which this SDK does not support. Ask the owner to approve the binding or update the server.${keyPath ? ` The generated key was kept at ${keyPath}.` : ''}`,
      keyPath,
    })
  }
  if (response.fingerprint !== undefined && response.fingerprint !== key.jkt) {
    await discardKey(store, key.jkt, logger)
    throw new RalioRegistrationError({
      code: 'fingerprint_mismatch',
      message: `The server registered a key with thumbprint ${response.fingerprint}, not ours (${key.jkt}); the key was deleted. Revoke binding ${response.clientId} in the console and register again with a new ticket.`,
    })
  }

  const binding = { clientId: response.clientId, ...keyMaterial }
  let tokens: StoredTokens & { accessToken: string }
  try {
    tokens = await firstToken(baseUrl, options, logger, { clientId: response.clientId, key })
  } catch (error) {
    // The binding is active: keep it even though its first token failed.
    await store.saveCredentials(binding, { overwrite: options.overwrite })
    throw error
  }
  // The official contract's second save: the binding, with this instance's refresh token.
  const { refreshToken, ...accessToken } = tokens
  await store.saveCredentials(refreshToken === undefined ? binding : { ...binding, refreshToken }, {
    overwrite: options.overwrite,
  })
  await store.saveAccessToken?.(accessToken)
  const registration: Registration = {
    clientId: response.clientId,
    scopes: (tokens.scope ?? '').split(' ').filter(Boolean),
    jkt: key.jkt,
  }
  const finalKeyPath = store instanceof FileCredentialStore ? store.keyPathOf(key.jkt) : undefined
  if (finalKeyPath !== undefined) registration.keyPath = finalKeyPath
  return registration
}

async function refuseExisting(store: CredentialStore): Promise<void> {
  let existing: { clientId?: string | undefined } | undefined | null
  try {
    existing = await store.load()
  } catch (error) {
    // Unreadable or broken credentials are still credentials someone may care about.
    if (RalioConfigError.isInstance(error) && error.code === 'no_file_system') throw error
    existing = { clientId: 'unknown' }
  }
  // A store holding nothing gives `{}` (the official contract), or a key without a binding.
  if (typeof existing?.clientId === 'string' && existing.clientId !== '') {
    const where = store instanceof FileCredentialStore ? ` in ${store.configDir}` : ''
    const hint =
      'pass overwrite: true to replace them (the old binding stays active until revoked in the console)'
    throw new RalioConfigError(
      `Credentials for ${existing.clientId ?? 'a binding'} already exist${where}; ${hint}`,
      {
        code: 'credentials_exist',
        param: 'overwrite',
        hint,
      },
    )
  }
}

/** Mints the binding's first token (no `scope`: the answer tells us what was granted). */
async function firstToken(
  baseUrl: URL,
  options: RegisterOptions,
  logger: Logger,
  binding: { clientId: string; key: SigningKey },
): Promise<StoredTokens & { accessToken: string }> {
  const auth = createRalioAuth({
    transport: {
      baseUrl: baseUrl.href,
      userAgent: `@x/ralio/${VERSION}`,
      fetch: options.fetch,
      errors: ralioErrors,
    },
    logger,
    tokenUrl: endpointUrl(baseUrl, '/oauth/token'),
    binding: async () => binding,
  })
  let tokens: StoredTokens & { accessToken: string }
  try {
    tokens = await auth.tokens.currentTokens(options.signal)
  } catch (error) {
    if (!RalioAPIError.isInstance(error) && !RalioConnectionError.isInstance(error)) throw error
    // The binding is active and saved; only its first token failed. Say so instead of hiding it.
    throw new RalioRegistrationError({
      code: 'first_token_failed',
      message: `Registered ${binding.clientId} and saved its credentials, but minting the first token failed (${(error as Error).message}); the binding is active, and a client mints its token on first use`,
      statusCode: RalioAPIError.isInstance(error) ? error.statusCode : undefined,
      cause: error,
    })
  } finally {
    auth.close()
  }
  return tokens
}
