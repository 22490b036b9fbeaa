import { ClientClosedError, UserAbortError } from '@x/core'
import { type FormBody, type Logger, noTelemetry, type Telemetry, type Transport } from '@x/core/internal'
import type { CredentialStore, StoredTokens } from '../credentials/credential-store.js'
import { type TokenResponse, tokenResponseSchema } from '../schemas/token-response.js'
import { clientAssertionType, createClientAssertion } from './client-assertion.js'
import type { DpopSession } from './dpop-session.js'
import type { SigningKey } from './signing-key.js'

/** A binding ready to authenticate: its client id, loaded key and any stored tokens. */
export interface Binding {
  clientId: string
  key: SigningKey
  /** A shared access token (its refresh token, if any, is never used). */
  tokens?: StoredTokens | undefined
  /** This instance's own refresh token, as its store kept it. */
  refreshToken?: string | null | undefined
}

export interface TokenManagerOptions {
  /** The transport token requests go through; it adds the DPoP proof to each attempt. */
  transport: Transport
  tokenUrl: URL
  binding: () => Promise<Binding>
  session: DpopSession
  /** Scopes to ask for; none means the binding's whole ceiling. */
  scopes?: readonly string[] | undefined
  store?: CredentialStore | undefined
  logger: Logger
  /** Spans for each mint and refresh; default none. */
  telemetry?: Telemetry | undefined
  now?: () => number
}

interface TokenState {
  accessToken: string
  refreshToken: string | undefined
  scope: string | undefined
  expiresIn: number
  /** Local milliseconds. */
  obtainedAtMs: number
}

/**
 * Holds the access token and obtains new ones: reuse until shortly before expiry, then
 * refresh (rotating the refresh token), falling back to a fresh private_key_jwt mint.
 * Every token request goes through one promise, so however many calls wait there is at
 * most one in flight: a second concurrent refresh would present a rotated refresh token
 * and make the server revoke the whole family.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions
  readonly #now: () => number
  #state: TokenState | undefined
  #pending: Promise<TokenState> | undefined
  #triedStoredTokens = false
  #triedStoredRefreshToken = false
  /** The refresh token the store last received, so it hears only of changes. */
  #savedRefreshToken: string | null | undefined

  constructor(options: TokenManagerOptions) {
    this.#options = options
    this.#now = options.now ?? (() => Date.now())
  }

  /** A valid access token, obtaining one first when needed. */
  async accessToken(signal?: AbortSignal): Promise<string> {
    const state = this.#state
    if (state !== undefined && this.#isFresh(state)) return state.accessToken
    return (await this.#untilAborted(this.#obtainOnce(), signal)).accessToken
  }

  /** The token as last obtained (for registration to report its scopes). */
  async currentTokens(signal?: AbortSignal): Promise<StoredTokens & { accessToken: string }> {
    await this.accessToken(signal)
    return toStored(this.#state!)
  }

  /**
   * The server refused `accessToken` (revoked, expired early): forget it so the next
   * caller refreshes. Ignored when a newer token already replaced it, so a burst of
   * 401s for one token costs one refresh.
   */
  invalidate(accessToken: string): void {
    if (this.#state?.accessToken === accessToken) this.#state = { ...this.#state, obtainedAtMs: -Infinity }
  }

  #obtainOnce(): Promise<TokenState> {
    this.#pending ??= this.#obtain().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  async #obtain(): Promise<TokenState> {
    const binding = await this.#options.binding()
    const previous = this.#state
    let state: TokenState | undefined
    if (previous === undefined && !this.#triedStoredTokens) {
      this.#triedStoredTokens = true
      state = this.#storedState(binding)
      if (state !== undefined) {
        this.#remember(binding, state)
        this.#state = state
        return state
      }
    }
    const refreshToken = previous?.refreshToken ?? this.#storedRefreshToken(binding)
    if (refreshToken !== undefined) {
      try {
        state = await this.#refresh(binding, refreshToken)
      } catch (error) {
        if (UserAbortError.isInstance(error) || ClientClosedError.isInstance(error)) {
          throw error
        }
        // A rotated-away or revoked refresh token: a fresh mint always works while the key is bound.
        this.#options.logger.info('token refresh failed; minting a new token with the client assertion', {
          code: (error as { code?: unknown }).code,
        })
        await this.#save(null)
      }
    }
    state ??= await this.#mint(binding)
    this.#remember(binding, state)
    this.#state = state
    await this.#save(state.refreshToken ?? null)
    return state
  }

  /** This instance's refresh token from its store, offered once: after that, the one in memory rules. */
  #storedRefreshToken(binding: Binding): string | undefined {
    if (this.#triedStoredRefreshToken) return undefined
    this.#triedStoredRefreshToken = true
    const stored = binding.refreshToken ?? undefined
    this.#savedRefreshToken = stored ?? null
    return stored === '' ? undefined : stored
  }

  /**
   * An access token another process (or the CLI) stored is reusable: it is bound to the
   * same key. Its refresh token is not: it belongs to that process's family. This
   * instance's own refresh token, if its store kept one, comes along for later refreshes.
   */
  #storedState(binding: Binding): TokenState | undefined {
    const tokens = binding.tokens
    if (!tokens?.accessToken || tokens.obtainedAt === undefined) return undefined
    const wanted = this.#options.scopes ?? []
    const granted = new Set((tokens.scope ?? '').split(' ').filter(Boolean))
    if (wanted.some((scope) => !granted.has(scope))) return undefined
    const state: TokenState = {
      accessToken: tokens.accessToken,
      refreshToken: undefined,
      scope: tokens.scope,
      expiresIn: tokens.expiresIn ?? 1800,
      obtainedAtMs: tokens.obtainedAt * 1000,
    }
    if (!this.#isFresh(state)) return undefined
    state.refreshToken = this.#storedRefreshToken(binding)
    return state
  }

  #mint(binding: Binding): Promise<TokenState> {
    const scope = this.#options.scopes?.length ? this.#options.scopes.join(' ') : undefined
    return this.#tokenRequest('mint', binding, async () => ({
      grant_type: 'client_credentials',
      client_assertion_type: clientAssertionType,
      // Rebuilt for every send: the server refuses a replayed assertion jti and an old iat.
      client_assertion: await createClientAssertion(binding.key, {
        clientId: binding.clientId,
        audience: this.#options.tokenUrl.href,
        nowSeconds: this.#options.session.nowSeconds(),
      }),
      scope,
    }))
  }

  async #refresh(binding: Binding, refreshToken: string): Promise<TokenState> {
    const state = await this.#tokenRequest('refresh', binding, async () => ({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: binding.clientId,
    }))
    // A server that does not rotate answers without refresh_token: the current one stays valid.
    return { ...state, refreshToken: state.refreshToken ?? refreshToken }
  }

  /**
   * Sends a token request. The form is a function: the transport builds it afresh for each
   * attempt, so the re-sends its auth hook asks for (a fresh DPoP nonce, a corrected clock)
   * carry a new one-time assertion.
   */
  #tokenRequest(
    kind: 'mint' | 'refresh',
    binding: Binding,
    form: () => Promise<FormBody>,
  ): Promise<TokenState> {
    const { transport, tokenUrl, telemetry = noTelemetry } = this.#options
    // Only the binding's public id, the grant and what was granted: never a token or assertion.
    const attributes = { 'ralio.client_id': binding.clientId, 'ralio.token.grant': kind }
    return telemetry.span(`ralio.token.${kind}`, attributes, async (span) => {
      const response: TokenResponse = await transport.request({
        method: 'POST',
        path: tokenUrl.href,
        form,
        schema: tokenResponseSchema,
      })
      span.set({
        'ralio.token.scope': response.scope,
        'ralio.token.expires_in': response.expiresIn,
        'ralio.token.refresh_token_issued': response.refreshToken !== undefined,
      })
      return {
        accessToken: response.accessToken,
        refreshToken: response.refreshToken,
        scope: response.scope,
        expiresIn: response.expiresIn,
        obtainedAtMs: this.#now(),
      }
    })
  }

  /** The tokens join the key's secrets: the previous pair stays scrubbed while late answers arrive. */
  #remember(binding: Binding, state: TokenState): void {
    binding.key.secrets.add(state.accessToken, 'accessToken', 2)
    binding.key.secrets.add(state.refreshToken, 'refreshToken', 2)
  }

  /** Hands the store this instance's refresh token when it changed (`null`: the family is gone). */
  async #save(refreshToken: string | null): Promise<void> {
    if (refreshToken === this.#savedRefreshToken) return
    this.#savedRefreshToken = refreshToken
    try {
      await this.#options.store?.saveRefreshToken(refreshToken)
    } catch (error) {
      // The token works; failing to record it only costs another mint next start.
      this.#options.logger.warn('could not save the new refresh token to the credential store', {
        error: (error as Error).message,
      })
    }
  }

  #isFresh(state: TokenState): boolean {
    // Renew early (the official SDKs use 300 s), but never more than half a short lifetime.
    const marginMs = Math.min(300, state.expiresIn / 2) * 1000
    return this.#now() < state.obtainedAtMs + state.expiresIn * 1000 - marginMs
  }

  /** Lets one waiter give up without cancelling the shared request the others wait on. */
  #untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) return promise
    if (signal.aborted) return Promise.reject(new UserAbortError({ cause: signal.reason }))
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new UserAbortError({ cause: signal.reason }))
      signal.addEventListener('abort', onAbort, { once: true })
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort)
          resolve(value)
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      )
    })
  }
}

function toStored(state: TokenState): StoredTokens & { accessToken: string } {
  return {
    accessToken: state.accessToken,
    refreshToken: state.refreshToken,
    expiresIn: state.expiresIn,
    obtainedAt: Math.floor(state.obtainedAtMs / 1000),
    scope: state.scope,
  }
}
