import { base64urlEncode, randomId } from './base64url.js'
import { signJws } from './sign-jws.js'
import type { SigningKey } from './signing-key.js'

export interface DpopProofInput {
  method: string
  url: URL | string
  /** Binds the proof to this token (`ath`); omitted on token requests. */
  accessToken?: string
  nonce?: string
  /** Seconds since the epoch, already corrected for the server's clock. */
  nowSeconds: number
}

export type DpopProofFactory = (input: DpopProofInput) => Promise<string>

const encoder = new TextEncoder()

/**
 * Returns a function making RFC 9449 proofs with `key`. The protected header never
 * changes and `ath` only changes with the token, so both are computed once: a proof
 * then costs one ES256 signature.
 */
export function createDpopProofFactory(key: SigningKey): DpopProofFactory {
  const header = base64urlEncode(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk }))
  let cachedToken: string | undefined
  let cachedAth: Promise<string> | undefined

  const accessTokenHash = (accessToken: string): Promise<string> => {
    if (accessToken !== cachedToken || cachedAth === undefined) {
      cachedToken = accessToken
      cachedAth = crypto.subtle
        .digest('SHA-256', encoder.encode(accessToken))
        .then((digest) => base64urlEncode(new Uint8Array(digest)))
    }
    return cachedAth
  }

  return async (input) => {
    const claims: Record<string, string | number> = {
      htm: input.method.toUpperCase(),
      htu: normalizeHtu(input.url),
      iat: input.nowSeconds,
      // Fresh per attempt: the server refuses a replayed jti, and retries are attempts.
      jti: randomId(),
    }
    if (input.accessToken !== undefined) claims.ath = await accessTokenHash(input.accessToken)
    if (input.nonce !== undefined) claims.nonce = input.nonce
    const proof = await signJws(header, claims, key.privateKey)
    // Concurrent requests each hold a proof until their response is handled.
    key.secrets.add(proof, 'proof', 16)
    return proof
  }
}

/** RFC 9449 `htu`: scheme, authority and path only; WHATWG URL lowercases and drops default ports. */
export function normalizeHtu(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
}
