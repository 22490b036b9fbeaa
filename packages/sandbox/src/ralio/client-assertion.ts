import { compactVerify, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose'
import type { Clock } from '../shared/clock.js'
import type { BindingStore, CredentialBinding } from './binding-store.js'
import { oauthError } from './ralio-http-error.js'
import type { ReplayCache } from './replay-cache.js'

export const clientAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Oldest `iat` accepted on a client assertion. */
export const maxAssertionAgeSeconds = 300
const futureIatToleranceSeconds = 60

export interface VerifyClientAssertionInput {
  assertion: string
  /** The absolute token URL the client addressed; the only accepted `aud`. */
  audience: string
  bindings: BindingStore
  clock: Clock
  replayCache: ReplayCache
}

/**
 * RFC 7523 private_key_jwt client authentication against the registered key. Every
 * failure is `invalid_client` (RFC 7523 §3.2) with the precise rule in the description.
 */
export async function verifyClientAssertion(input: VerifyClientAssertionInput): Promise<CredentialBinding> {
  const reject = (description: string) => oauthError(401, 'invalid_client', description)
  let header: ReturnType<typeof decodeProtectedHeader>
  let unverified: JWTPayload
  try {
    header = decodeProtectedHeader(input.assertion)
    unverified = decodeJwt(input.assertion)
  } catch {
    throw reject('client_assertion is not a well-formed JWT')
  }
  if (header.alg !== 'ES256') throw reject('client_assertion must be signed with ES256')
  if (typeof unverified.sub !== 'string') throw reject('client_assertion is missing "sub" (the client_id)')
  const binding = input.bindings.get(unverified.sub)
  if (!binding) throw reject('unknown client_id; register a credential first')
  if (header.kid !== undefined && header.kid !== binding.key.thumbprint) {
    throw reject('client_assertion "kid" is not the thumbprint of the registered key')
  }
  try {
    await compactVerify(input.assertion, binding.key.key, { algorithms: ['ES256'] })
  } catch {
    throw reject('client_assertion signature does not verify against the registered key')
  }

  const claims = unverified
  if (claims.iss !== binding.clientId) throw reject('client_assertion "iss" must equal "sub" (the client_id)')
  const audiences =
    typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : []
  if (!audiences.includes(input.audience)) {
    throw reject(`client_assertion "aud" must be the token URL ${input.audience}`)
  }
  const now = input.clock.nowSeconds()
  if (typeof claims.exp !== 'number') throw reject('client_assertion is missing "exp"')
  if (claims.exp <= now) throw reject('client_assertion has expired ("exp" is in the past of server time)')
  if (typeof claims.iat !== 'number') throw reject('client_assertion is missing "iat"')
  if (now - claims.iat > maxAssertionAgeSeconds) {
    throw reject(`client_assertion is too old ("iat" more than ${maxAssertionAgeSeconds} s ago)`)
  }
  if (claims.iat - now > futureIatToleranceSeconds) throw reject('client_assertion "iat" is in the future')
  if (typeof claims.jti !== 'string' || claims.jti.length === 0)
    throw reject('client_assertion is missing "jti"')
  const retainUntilMs = (Math.max(claims.exp, claims.iat + maxAssertionAgeSeconds) + 1) * 1000
  if (!input.replayCache.remember(`${binding.clientId}:${claims.jti}`, retainUntilMs)) {
    throw reject(
      'client_assertion "jti" has already been used; sign a fresh assertion for every token request',
    )
  }
  return binding
}
