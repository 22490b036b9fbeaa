import { type CryptoKey, calculateJwkThumbprint, importJWK, type JWK } from 'jose'

/** A validated P-256 public key with its RFC 7638 SHA-256 thumbprint. */
export interface PublicJwk {
  jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  key: CryptoKey
  thumbprint: string
}

export class PublicJwkError extends Error {
  override name = 'PublicJwkError'
}

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']
const coordinatePattern = /^[A-Za-z0-9_-]{43}$/

/**
 * Accepts only public P-256 keys meant for ES256. Private members are refused rather
 * than stripped: a client that sends them has leaked its key and must be told.
 */
export async function parsePublicJwk(input: unknown): Promise<PublicJwk> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new PublicJwkError('the key must be a JWK object')
  }
  const candidate = input as Record<string, unknown>
  const leaked = privateMembers.filter((member) => member in candidate)
  if (leaked.length > 0) {
    throw new PublicJwkError(
      `the JWK contains private key members (${leaked.join(', ')}); send the public key only`,
    )
  }
  if (candidate.kty !== 'EC') throw new PublicJwkError('the JWK must have kty "EC"')
  if (candidate.crv !== 'P-256') throw new PublicJwkError('the JWK must be on curve P-256')
  if (candidate.alg !== undefined && candidate.alg !== 'ES256') {
    throw new PublicJwkError('the JWK "alg", when present, must be ES256')
  }
  const { x, y } = candidate
  if (
    typeof x !== 'string' ||
    !coordinatePattern.test(x) ||
    typeof y !== 'string' ||
    !coordinatePattern.test(y)
  ) {
    throw new PublicJwkError('the JWK "x" and "y" must be 32-byte base64url coordinates')
  }
  const jwk = { kty: 'EC' as const, crv: 'P-256' as const, x, y }
  let key: CryptoKey
  try {
    // WebCrypto refuses points that are not on the curve.
    key = (await importJWK(jwk as JWK, 'ES256')) as CryptoKey
  } catch {
    throw new PublicJwkError('the JWK is not a valid P-256 public key')
  }
  return { jwk, key, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') }
}
