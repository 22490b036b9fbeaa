import { base64urlEncode, randomId } from './base64url.js'
import { signJws } from './sign-jws.js'
import type { SigningKey } from './signing-key.js'

export const clientAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface ClientAssertionInput {
  clientId: string
  /** The absolute token endpoint URL: Ralio checks `aud` against it. */
  audience: string
  /** Seconds since the epoch, already corrected for the server's clock. */
  nowSeconds: number
}

/** RFC 7523 private_key_jwt client assertion, valid for 60 s, with a fresh 128-bit `jti`. */
export async function createClientAssertion(key: SigningKey, input: ClientAssertionInput): Promise<string> {
  const header = base64urlEncode(JSON.stringify({ alg: 'ES256', kid: key.jkt }))
  const assertion = await signJws(
    header,
    {
      iss: input.clientId,
      sub: input.clientId,
      aud: input.audience,
      iat: input.nowSeconds,
      exp: input.nowSeconds + 60,
      jti: randomId(),
    },
    key.privateKey,
  )
  key.secrets.add(assertion, 'assertion')
  return assertion
}
