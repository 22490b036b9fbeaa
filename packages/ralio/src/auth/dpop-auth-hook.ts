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
  const sent = new WeakMap<AttemptContext, SignedWith & { accessToken: string }>()
  return {
    async authorize(context) {
      const accessToken = await tokens.accessToken(context.signal)
      const nonce = session.nonceFor(context.url)
      sent.set(context, { accessToken, nonce, clockOffsetMs: session.clockOffsetMs })
      context.headers.set('authorization', `DPoP ${accessToken}`)
      context.headers.set(
        'dpop',
        await proof({
          method: context.method,
          url: context.url,
          accessToken,
          nonce,
          nowSeconds: session.nowSeconds(),
        }),
      )
    },
    challenge(response, context) {
      session.rememberNonce(context.url, response)
      if (response.status !== 401) return undefined
      const error = authenticateError(response)
      const signed = sent.get(context)
      if (error === 'use_dpop_nonce') return proofChallenge(session, context.url, signed, 'nonce')
      if (error === 'invalid_dpop_proof') {
        return proofChallenge(session, context.url, signed, 'clock', response.headers.get('date'))
      }
      if (signed !== undefined) tokens.invalidate(signed.accessToken)
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
  const sent = new WeakMap<AttemptContext, SignedWith>()
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
      if (error.code === 'use_dpop_nonce') return proofChallenge(session, context.url, signed, 'nonce')
      if (error.code === 'invalid_dpop_proof' || error.code === 'invalid_client') {
        return proofChallenge(session, context.url, signed, 'clock', error.headers.date)
      }
      return undefined
    },
  }
}

/** What an attempt's proof was signed with. */
interface SignedWith {
  nonce: string | undefined
  clockOffsetMs: number
}

/**
 * Whether a proof the server refused is worth one more attempt, and the transport's reason
 * for it (each distinct reason is honoured once per request). A nonce challenge: only with a
 * nonce other than the one the attempt carried, so a rotating nonce may need two re-sends and
 * a server repeating the same one gets none. A clock challenge: when the server's `Date`
 * corrects our clock, or another request already corrected it since this attempt was signed
 * (concurrent requests signed with the old clock all re-send).
 */
function proofChallenge(
  session: DpopSession,
  url: URL,
  signed: SignedWith | undefined,
  refused: 'nonce' | 'clock',
  serverDate?: string | null,
): string | undefined {
  if (refused === 'nonce') {
    const nonce = session.nonceFor(url)
    return nonce !== undefined && nonce !== signed?.nonce ? `nonce:${nonce}` : undefined
  }
  const corrected = session.correctClock(serverDate)
  return corrected || session.clockOffsetMs !== signed?.clockOffsetMs ? 'clock' : undefined
}

/** The challenge's `error`, quoted (`error="use_dpop_nonce"`) or bare (`error=use_dpop_nonce`). */
function authenticateError(response: Response): string | undefined {
  return primaryChallenge(response.headers.get('www-authenticate'))?.params.error
}
