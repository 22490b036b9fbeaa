import { type AttemptContext, type AuthHook, primaryChallenge } from '@x/core/internal'
import type { DpopProofFactory } from './dpop-proof.js'
import type { DpopSession } from './dpop-session.js'
import type { TokenManager } from './token-manager.js'

/**
 * Signs every resource request: `Authorization: DPoP <token>` plus a proof made for
 * this very attempt (fresh `jti`, current nonce), and answers the server's challenges:
 * a fresh nonce, a clock the server disagrees with, or a refused token.
 */
export function resourceAuthHook(
  tokens: TokenManager,
  session: DpopSession,
  proof: DpopProofFactory,
): AuthHook {
  const sentTokens = new WeakMap<AttemptContext, string>()
  const sentClockOffsets = new WeakMap<AttemptContext, number>()
  return {
    async authorize(context) {
      const accessToken = await tokens.accessToken(context.signal)
      sentTokens.set(context, accessToken)
      sentClockOffsets.set(context, session.clockOffsetMs)
      context.headers.set('authorization', `DPoP ${accessToken}`)
      context.headers.set(
        'dpop',
        await proof({
          method: context.method,
          url: context.url,
          accessToken,
          nonce: session.nonceFor(context.url),
          nowSeconds: session.nowSeconds(),
        }),
      )
    },
    challenge(response, context) {
      const freshNonce = session.rememberNonce(context.url, response)
      if (response.status !== 401) return undefined
      const error = authenticateError(response)
      // One re-send per nonce value: a rotating nonce may need two, a repeated one gets none.
      if (error === 'use_dpop_nonce') return freshNonce ? `nonce:${session.nonceFor(context.url)}` : undefined
      if (error === 'invalid_dpop_proof') {
        // Concurrent requests signed with the old clock: the first corrects it, all re-send.
        const corrected = session.correctClock(response.headers.get('date'))
        return corrected || session.clockOffsetMs !== sentClockOffsets.get(context) ? 'clock' : undefined
      }
      const accessToken = sentTokens.get(context)
      if (accessToken !== undefined) tokens.invalidate(accessToken)
      return 'refresh'
    },
  }
}

/**
 * Token requests carry a proof too (RFC 9449 §5), without `ath`. Their nonce and clock
 * challenges are answered by the token manager, which must rebuild the form.
 */
export function tokenEndpointAuthHook(session: DpopSession, proof: DpopProofFactory): AuthHook {
  return {
    async authorize(context) {
      context.headers.set(
        'dpop',
        await proof({
          method: context.method,
          url: context.url,
          nonce: session.nonceFor(context.url),
          nowSeconds: session.nowSeconds(),
        }),
      )
    },
    challenge(response, context) {
      session.rememberNonce(context.url, response)
      return undefined
    },
  }
}

/** The challenge's `error`, quoted (`error="use_dpop_nonce"`) or bare (`error=use_dpop_nonce`). */
function authenticateError(response: Response): string | undefined {
  return primaryChallenge(response.headers.get('www-authenticate'))?.params.error
}
