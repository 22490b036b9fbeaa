import {
  type AuthHook,
  createTransport,
  type Logger,
  type Transport,
  type TransportOptions,
} from '@x/core/internal'
import type { CredentialStore } from '../credentials/credential-store.js'
import { cachePromise } from '../promise-cache.js'
import { resourceAuthHook, tokenEndpointAuthHook } from './dpop-auth-hook.js'
import { createDpopProofFactory, type DpopProofFactory } from './dpop-proof.js'
import { DpopSession } from './dpop-session.js'
import { type Binding, TokenManager } from './token-manager.js'

export interface RalioAuthOptions {
  /** Everything the token transport shares with the resource one (base URL, fetch, logger, errors …). */
  transport: Omit<TransportOptions, 'auth' | 'logger'>
  logger: Logger
  tokenUrl: URL
  /** Loads the binding; called when first needed, its result kept once it succeeds. */
  binding: () => Promise<Binding>
  /** Receives this instance's rotated refresh tokens. */
  store?: CredentialStore | undefined
  scopes?: readonly string[] | undefined
}

export interface RalioAuth {
  readonly tokens: TokenManager
  /** For the transport resource requests go through: token, proof and challenges. */
  readonly resourceAuth: AuthHook
  /** Closes the token transport. */
  close(): void
}

/**
 * The one place a binding becomes authentication: a DPoP session, proofs signed with
 * the binding's key, the token transport and the token manager. `RalioClient` and
 * `register()` (for the first token) both build theirs here.
 */
export function createRalioAuth(options: RalioAuthOptions): RalioAuth {
  const session = new DpopSession()
  const proofFactory = cachePromise(async () => createDpopProofFactory((await options.binding()).key))
  const proof: DpopProofFactory = async (input) => (await proofFactory())(input)
  const tokenTransport: Transport = createTransport({
    ...options.transport,
    logger: options.logger,
    auth: tokenEndpointAuthHook(session, proof),
  })
  const tokens = new TokenManager({
    transport: tokenTransport,
    tokenUrl: options.tokenUrl,
    binding: options.binding,
    session,
    scopes: options.scopes,
    store: options.store,
    logger: options.logger,
    telemetry: options.transport.telemetry,
  })
  return {
    tokens,
    resourceAuth: resourceAuthHook(tokens, session, proof),
    close: () => tokenTransport.close(),
  }
}
