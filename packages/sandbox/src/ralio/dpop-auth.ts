import type { MiddlewareHandler } from 'hono'
import type { CredentialBinding } from './binding-store.js'
import { DpopProofError, verifyDpopProof } from './dpop-proof.js'
import { dpopChallenge, RalioHttpError } from './ralio-http-error.js'
import type { RalioState } from './ralio-state.js'

/** Who a resource request acts for, once its token and proof are verified. */
export interface ResourceAuth {
  binding: CredentialBinding
  scopes: string[]
}

export type RalioEnv = { Variables: { auth: ResourceAuth } }

/**
 * RFC 9449 protected-resource checks: `Authorization: DPoP <token>` plus exactly one
 * proof bound to that token's key. Every failure is a 401 whose `WWW-Authenticate`
 * names the broken rule.
 */
export function requireDpopAuth(state: RalioState): MiddlewareHandler<RalioEnv> {
  return async (c, next) => {
    state.stats.resourceRequests += 1
    const authorization = c.req.header('authorization')
    if (authorization === undefined || authorization.trim() === '') {
      // RFC 6750 §3.1: a request with no credentials gets a bare challenge, no error code.
      throw new RalioHttpError(
        401,
        { detail: 'Not authenticated' },
        { 'WWW-Authenticate': 'DPoP algs="ES256"' },
      )
    }
    const [scheme = '', token = ''] = authorization.trim().split(/\s+/, 2)
    if (scheme.toLowerCase() === 'bearer') {
      throw dpopChallenge(
        'invalid_token',
        'this access token is DPoP-bound: send "Authorization: DPoP <token>" with a DPoP proof, not the Bearer scheme',
      )
    }
    if (scheme.toLowerCase() !== 'dpop')
      throw dpopChallenge('invalid_token', `unsupported authorization scheme "${scheme}"`)
    if (token === '') throw dpopChallenge('invalid_token', 'the Authorization header carries no access token')

    const proof = c.req.header('dpop')
    if (proof === undefined || proof.trim() === '') {
      throw dpopChallenge('invalid_dpop_proof', 'the request has no DPoP proof header')
    }
    // Repeated headers arrive joined by commas, which a compact JWS never contains.
    if (proof.includes(',')) throw dpopChallenge('invalid_dpop_proof', 'send exactly one DPoP proof header')

    let verified: Awaited<ReturnType<typeof verifyDpopProof>>
    try {
      verified = await verifyDpopProof({
        proof: proof.trim(),
        method: c.req.method,
        url: c.req.url,
        clock: state.clock,
        replayCache: state.proofReplays,
        accessToken: token,
      })
    } catch (error) {
      if (error instanceof DpopProofError) throw dpopChallenge('invalid_dpop_proof', error.message)
      throw error
    }

    let nonceWasPrevious = false
    if (state.nonces.enabled) {
      const check = state.nonces.check(verified.nonce)
      if (check === 'invalid') {
        throw dpopChallenge(
          'use_dpop_nonce',
          verified.nonce === undefined
            ? 'this server requires a DPoP nonce; sign a new proof with the nonce from the DPoP-Nonce header'
            : 'the DPoP nonce is stale; sign a new proof with the nonce from the DPoP-Nonce header',
          { 'DPoP-Nonce': state.nonces.current() },
        )
      }
      nonceWasPrevious = check === 'previous'
    }

    const lookup = state.tokens.lookupAccessToken(token)
    if (lookup.status !== 'valid') {
      const reasons = {
        unknown: 'the access token is not recognised',
        expired: 'the access token has expired',
        revoked: 'the access token has been revoked',
      }
      throw dpopChallenge('invalid_token', reasons[lookup.status])
    }
    if (verified.thumbprint !== lookup.record.jkt) {
      throw dpopChallenge(
        'invalid_dpop_proof',
        'the DPoP proof key does not match the access token binding (cnf.jkt)',
      )
    }
    const binding = state.bindings.get(lookup.record.clientId)
    if (!binding)
      throw dpopChallenge('invalid_token', 'the credential binding of this token no longer exists')

    c.set('auth', { binding, scopes: lookup.record.scopes })
    await next()
    // The client signed with the nonce before the last rotation: hand it the new one.
    if (nonceWasPrevious) c.res.headers.set('DPoP-Nonce', state.nonces.current())
  }
}

/** 403 `{"detail":"insufficient_scope"}` unless the token carries `scope`. */
export function requireScope(scope: string): MiddlewareHandler<RalioEnv> {
  return async (c, next) => {
    if (!c.get('auth').scopes.includes(scope)) {
      throw new RalioHttpError(
        403,
        { detail: 'insufficient_scope' },
        { 'WWW-Authenticate': `DPoP error="insufficient_scope", scope="${scope}", algs="ES256"` },
      )
    }
    await next()
  }
}
