import { Hono } from 'hono'
import type { CredentialBinding } from './binding-store.js'
import { clientAssertionType, verifyClientAssertion } from './client-assertion.js'
import { DpopProofError, type VerifiedDpopProof, verifyDpopProof } from './dpop-proof.js'
import { normalizeHtu } from './normalize-htu.js'
import { oauthError } from './ralio-http-error.js'
import type { RalioState } from './ralio-state.js'
import { parseScopeParameter } from './scopes.js'
import type { IssuedTokens } from './token-store.js'

/**
 * `POST /oauth/token` (spec §2): client_credentials with a private_key_jwt assertion,
 * and rotating refresh tokens. A DPoP proof is optional here (the official SDKs send
 * none); when one is sent it is verified in full and must be signed by the registered key.
 */
export function tokenRoutes(state: RalioState): Hono {
  const app = new Hono()

  app.post('/oauth/token', async (c) => {
    state.stats.tokenRequests += 1
    const contentType = c.req.header('content-type') ?? ''
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw oauthError(400, 'invalid_request', 'the token request must be application/x-www-form-urlencoded')
    }
    const form = new URLSearchParams(await c.req.text())
    const parameter = (name: string): string | undefined => {
      const values = form.getAll(name)
      // RFC 6749 §3.2: request parameters must not be repeated.
      if (values.length > 1) throw oauthError(400, 'invalid_request', `the "${name}" parameter is repeated`)
      return values[0] === '' ? undefined : values[0]
    }

    const grantType = parameter('grant_type')
    if (grantType === undefined)
      throw oauthError(400, 'invalid_request', 'the "grant_type" parameter is required')
    if (grantType !== 'client_credentials' && grantType !== 'refresh_token') {
      throw oauthError(
        400,
        'unsupported_grant_type',
        'use grant_type=client_credentials or grant_type=refresh_token',
      )
    }
    const tokenUrl = normalizeHtu(c.req.url) ?? c.req.url
    const proof = await verifyOptionalProof(state, c.req.header('dpop'), c.req.url)
    const requestedScope = parameter('scope')
    const requestedScopes = requestedScope === undefined ? undefined : parseScopeParameter(requestedScope)

    let binding: CredentialBinding
    let tokens: IssuedTokens
    if (grantType === 'client_credentials') {
      binding = await authenticateClient(state, parameter, tokenUrl, true)
      assertProofKey(proof, binding)
      const beyond = requestedScopes?.filter((scope) => !binding.scopes.includes(scope)) ?? []
      if (beyond.length > 0) {
        throw oauthError(
          400,
          'invalid_scope',
          `this credential was granted "${binding.scopes.join(' ')}"; it cannot have: ${beyond.join(' ')}`,
        )
      }
      tokens = state.tokens.issue({
        clientId: binding.clientId,
        scopes: requestedScopes && requestedScopes.length > 0 ? requestedScopes : binding.scopes,
        jkt: binding.key.thumbprint,
      })
    } else {
      const refreshToken = parameter('refresh_token')
      const clientId = parameter('client_id')
      if (refreshToken === undefined)
        throw oauthError(400, 'invalid_request', 'the "refresh_token" parameter is required')
      if (clientId === undefined)
        throw oauthError(400, 'invalid_request', 'the "client_id" parameter is required')
      // A confidential client may also authenticate its refresh; verify it when it does.
      const authenticated = await authenticateClient(state, parameter, tokenUrl, false)
      if (authenticated && authenticated.clientId !== clientId) {
        throw oauthError(401, 'invalid_client', 'client_id does not match the client_assertion')
      }
      const found = state.bindings.get(clientId)
      if (!found) throw oauthError(401, 'invalid_client', 'unknown client_id')
      binding = found
      assertProofKey(proof, binding)
      const result = state.tokens.refresh(refreshToken, clientId, requestedScopes)
      if (result.status !== 'rotated') {
        const reasons = {
          unknown: 'the refresh token is not recognised',
          expired: 'the refresh token has expired',
          revoked: 'the refresh token has been revoked',
          wrong_client: 'the refresh token was issued to another client',
          replayed: 'the refresh token was already used; every token issued from it has been revoked',
          scope_too_wide: 'a refresh cannot widen the scope of the original grant',
        }
        throw oauthError(
          400,
          result.status === 'scope_too_wide' ? 'invalid_scope' : 'invalid_grant',
          reasons[result.status],
        )
      }
      tokens = result.tokens
      state.stats.refreshes += 1
    }

    state.stats.tokensIssued += 1
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    if (
      proof?.nonce !== undefined &&
      state.nonces.enabled &&
      state.nonces.check(proof.nonce) === 'previous'
    ) {
      c.header('DPoP-Nonce', state.nonces.current())
    }
    return c.json({
      access_token: tokens.accessToken,
      token_type: 'DPoP',
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      scope: tokens.scopes.join(' '),
    })
  })

  return app
}

async function verifyOptionalProof(
  state: RalioState,
  header: string | undefined,
  url: string,
): Promise<VerifiedDpopProof | undefined> {
  if (header === undefined) return undefined
  if (header.includes(',')) throw oauthError(400, 'invalid_dpop_proof', 'send exactly one DPoP proof header')
  let proof: VerifiedDpopProof
  try {
    proof = await verifyDpopProof({
      proof: header.trim(),
      method: 'POST',
      url,
      clock: state.clock,
      replayCache: state.proofReplays,
    })
  } catch (error) {
    if (error instanceof DpopProofError) throw oauthError(400, 'invalid_dpop_proof', error.message)
    throw error
  }
  if (state.nonces.enabled && state.nonces.check(proof.nonce) === 'invalid') {
    throw oauthError(
      400,
      'use_dpop_nonce',
      'this server requires a DPoP nonce; sign a new proof with the nonce from the DPoP-Nonce header',
      { 'DPoP-Nonce': state.nonces.current() },
    )
  }
  return proof
}

function assertProofKey(proof: VerifiedDpopProof | undefined, binding: CredentialBinding): void {
  if (proof && proof.thumbprint !== binding.key.thumbprint) {
    throw oauthError(
      400,
      'invalid_dpop_proof',
      'the DPoP proof is not signed with the key registered for this client',
    )
  }
}

async function authenticateClient(
  state: RalioState,
  parameter: (name: string) => string | undefined,
  tokenUrl: string,
  required: true,
): Promise<CredentialBinding>
async function authenticateClient(
  state: RalioState,
  parameter: (name: string) => string | undefined,
  tokenUrl: string,
  required: false,
): Promise<CredentialBinding | undefined>
async function authenticateClient(
  state: RalioState,
  parameter: (name: string) => string | undefined,
  tokenUrl: string,
  required: boolean,
): Promise<CredentialBinding | undefined> {
  const assertion = parameter('client_assertion')
  const assertionType = parameter('client_assertion_type')
  if (assertion === undefined) {
    if (!required) return undefined
    throw oauthError(
      401,
      'invalid_client',
      'client authentication is required: send a private_key_jwt client_assertion',
    )
  }
  if (assertionType !== clientAssertionType) {
    throw oauthError(401, 'invalid_client', `client_assertion_type must be ${clientAssertionType}`)
  }
  const binding = await verifyClientAssertion({
    assertion,
    audience: tokenUrl,
    bindings: state.bindings,
    clock: state.clock,
    replayCache: state.assertionReplays,
  })
  const clientId = parameter('client_id')
  if (clientId !== undefined && clientId !== binding.clientId) {
    throw oauthError(401, 'invalid_client', 'client_id does not match the client_assertion')
  }
  return binding
}
