import { createHash } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose'
import type { Clock } from '../shared/clock.js'
import { normalizeHtu } from './normalize-htu.js'
import { PublicJwkError, parsePublicJwk } from './public-jwk.js'
import type { ReplayCache } from './replay-cache.js'

/** Why a proof was refused; the message goes to the client as `error_description`. */
export class DpopProofError extends Error {
  override name = 'DpopProofError'
}

export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof's key. */
  thumbprint: string
  /** The `nonce` claim, when the client sent one. */
  nonce: unknown
}

export interface VerifyDpopProofInput {
  proof: string
  method: string
  url: string
  clock: Clock
  replayCache: ReplayCache
  /** Required for resource requests (`ath` is checked against it); absent at the token endpoint. */
  accessToken?: string
}

/** Accepted distance between the proof's `iat` and the server clock. */
export const dpopIatWindowSeconds = 60

/**
 * Checks a DPoP proof JWT per RFC 9449 §4.3, each rule with its own message. The
 * binding to an access token's `cnf.jkt` and the nonce are the caller's to check,
 * because their failures are reported differently at the token and resource endpoints.
 */
export async function verifyDpopProof(input: VerifyDpopProofInput): Promise<VerifiedDpopProof> {
  let header: ProtectedHeaderParameters
  try {
    header = decodeProtectedHeader(input.proof)
  } catch {
    throw new DpopProofError('the DPoP proof is not a well-formed JWT')
  }
  if (input.proof.split('.').length !== 3) throw new DpopProofError('the DPoP proof is not a compact JWS')
  if (header.typ !== 'dpop+jwt') throw new DpopProofError('the DPoP proof header "typ" must be "dpop+jwt"')
  if (header.alg !== 'ES256') throw new DpopProofError('the DPoP proof must be signed with ES256')
  if (header.jwk === undefined) throw new DpopProofError('the DPoP proof header must carry the public "jwk"')
  const key = await parsePublicJwk(header.jwk).catch((error: unknown) => {
    const reason = error instanceof PublicJwkError ? error.message : 'it could not be read'
    throw new DpopProofError(`the DPoP proof "jwk" is not acceptable: ${reason}`)
  })

  let payload: Uint8Array
  try {
    ;({ payload } = await compactVerify(input.proof, key.key, { algorithms: ['ES256'] }))
  } catch {
    throw new DpopProofError('the DPoP proof signature does not verify against its "jwk"')
  }
  let claims: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(payload))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object')
    claims = parsed as Record<string, unknown>
  } catch {
    throw new DpopProofError('the DPoP proof payload is not a JSON object')
  }

  if (typeof claims.htm !== 'string') throw new DpopProofError('the DPoP proof is missing "htm"')
  if (claims.htm !== input.method.toUpperCase()) {
    throw new DpopProofError(
      `the DPoP proof "htm" does not match the request method ${input.method.toUpperCase()}`,
    )
  }
  if (typeof claims.htu !== 'string') throw new DpopProofError('the DPoP proof is missing "htu"')
  const expectedHtu = normalizeHtu(input.url)
  if (normalizeHtu(claims.htu) !== expectedHtu) {
    throw new DpopProofError(`the DPoP proof "htu" does not match the request URL ${String(expectedHtu)}`)
  }
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) {
    throw new DpopProofError('the DPoP proof is missing a numeric "iat"')
  }
  const now = input.clock.now() / 1000
  if (claims.iat > now + dpopIatWindowSeconds) {
    throw new DpopProofError(
      `the DPoP proof "iat" is more than ${dpopIatWindowSeconds} s in the future of server time`,
    )
  }
  if (claims.iat < now - dpopIatWindowSeconds) {
    throw new DpopProofError(
      `the DPoP proof "iat" is more than ${dpopIatWindowSeconds} s in the past of server time`,
    )
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 256) {
    throw new DpopProofError('the DPoP proof is missing "jti"')
  }
  if (input.accessToken !== undefined) {
    if (typeof claims.ath !== 'string') throw new DpopProofError('the DPoP proof is missing "ath"')
    const expectedAth = createHash('sha256').update(input.accessToken, 'ascii').digest('base64url')
    if (claims.ath !== expectedAth) {
      throw new DpopProofError('the DPoP proof "ath" does not match the hash of the access token')
    }
  }
  // Recorded only once the proof is otherwise sound, and before the nonce and token
  // checks, so a client that reuses a jti when retrying after a challenge is caught.
  const retainUntilMs = (Math.max(claims.iat, now) + dpopIatWindowSeconds + 5) * 1000
  if (!input.replayCache.remember(`${key.thumbprint}:${claims.jti}`, retainUntilMs)) {
    throw new DpopProofError(
      'the DPoP proof "jti" has already been used; sign a fresh proof for every request',
    )
  }
  return { thumbprint: key.thumbprint, nonce: claims.nonce }
}
