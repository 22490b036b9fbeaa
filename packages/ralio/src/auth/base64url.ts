import { base64url } from 'jose'

const encoder = new TextEncoder()

/** base64url without padding, as JWS wants it. */
export function base64urlEncode(input: Uint8Array | string): string {
  return base64url.encode(typeof input === 'string' ? encoder.encode(input) : input)
}

export function base64urlDecode(input: string): Uint8Array {
  return base64url.decode(input)
}

/** 128 random bits: enough for `jti` values the server must never see twice. */
export function randomId(): string {
  return base64urlEncode(crypto.getRandomValues(new Uint8Array(16)))
}
