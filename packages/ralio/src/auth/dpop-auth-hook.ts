import { type AttemptContext, type AuthHook, primaryChallenge } from '@x/core/internal'
import { RalioAPIError } from '../errors.js'
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
 * Token requests carry a proof too (RFC 9449 §5), without `ath`. Their challenges come in
 * the body (`400 {"error":"use_dpop_nonce"}`, `invalid_dpop_proof` or `invalid_client` for a
 * clock the server disagrees with), so they are answered from the API error; the token
 * manager's form is a function, so each re-send carries a fresh client assertion too.
 */
export function tokenEndpointAuthHook(session: DpopSession, proof: DpopProofFactory): AuthHook {
  const sent = new WeakMap<AttemptContext, { nonce: string | undefined; clockOffsetMs: number }>()
  return {
    async authorize(context) {
      const nonce = session.nonceFor(context.url)
      sent.set(context, { nonce, clockOffsetMs: session.clockOffsetMs })
      context.headers.set(
        'dpop',
        await proof({ method: context.method, url: context.url, nonce, nowSeconds: session.nowSeconds() }),
      )
    },
    challenge(response, context, error) {
      session.rememberNonce(context.url, response)
      if (!RalioAPIError.isInstance(error) || (error.statusCode !== 400 && error.statusCode !== 401)) {
        return undefined
      }
      const signed = sent.get(context)
      if (error.code === 'use_dpop_nonce') {
        // Re-sent only with a nonce other than the one this attempt carried.
        const nonce = session.nonceFor(context.url)
        return nonce !== undefined && nonce !== signed?.nonce ? `nonce:${nonce}` : undefined
      }
      if (error.code === 'invalid_dpop_proof' || error.code === 'invalid_client') {
        // Another request may already have corrected the clock this one was signed with.
        const corrected = session.correctClock(error.headers.date)
        return corrected || session.clockOffsetMs !== signed?.clockOffsetMs ? 'clock' : undefined
      }
      return undefined
    },
  }
}

/** The challenge's `error`, quoted (`error="use_dpop_nonce"`) or bare (`error=use_dpop_nonce`). */
function authenticateError(response: Response): string | undefined {
  return primaryChallenge(response.headers.get('www-authenticate'))?.params.error
}
