import { base64urlEncode } from './base64url.js'

const encoder = new TextEncoder()
const ecdsaSha256 = { name: 'ECDSA', hash: 'SHA-256' } as const

/**
 * Signs a compact ES256 JWS over an already-encoded protected header. WebCrypto's ECDSA
 * output is the raw r‖s (IEEE P1363) form JWS wants, so no DER conversion is needed.
 */
export async function signJws(encodedHeader: string, payload: object, key: CryptoKey): Promise<string> {
  const signingInput = `${encodedHeader}.${base64urlEncode(JSON.stringify(payload))}`
  const signature = await crypto.subtle.sign(ecdsaSha256, key, encoder.encode(signingInput))
  return `${signingInput}.${base64urlEncode(new Uint8Array(signature))}`
}
