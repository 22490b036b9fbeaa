import { createHash, randomUUID } from 'node:crypto'
import { exportJWK, importPKCS8, type JWK, SignJWT } from 'jose'
import type { RalioBinding } from './ralio-binding.ts'

/**
 * What a careful hand-written client does without the SDK: one access token minted up
 * front and cached, then per request one fresh DPoP proof signed with jose. This is the
 * floor the SDK's authenticated requests are measured against.
 */
export interface DpopFloor {
  accessToken: string
  /** A fresh proof for one request (new `jti`, current `iat`, `ath` of the cached token). */
  proof(method: string, url: string): Promise<string>
  headers(method: string, url: string): Promise<Record<string, string>>
}

export async function createDpopFloor(binding: RalioBinding): Promise<DpopFloor> {
  const privateKey = await importPKCS8(binding.privateKeyPem, 'ES256', { extractable: true })
  const { kty, crv, x, y } = await exportJWK(privateKey)
  const publicJwk: JWK = { kty, crv, x, y }
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ ...claims, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk })
      .sign(privateKey)

  const tokenUrl = `${binding.baseUrl}/oauth/token`
  const now = Math.floor(Date.now() / 1000)
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: binding.jkt })
    .setIssuer(binding.clientId)
    .setSubject(binding.clientId)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(privateKey)
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      dpop: await sign({ htm: 'POST', htu: tokenUrl }),
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  })
  if (!response.ok)
    throw new Error(`the floor's token request answered ${response.status}: ${await response.text()}`)
  const { access_token: accessToken } = (await response.json()) as { access_token: string }
  const ath = createHash('sha256').update(accessToken).digest('base64url')

  const proof = (method: string, url: string) => {
    const { origin, pathname } = new URL(url)
    return sign({ htm: method, htu: `${origin}${pathname}`, ath })
  }
  return {
    accessToken,
    proof,
    async headers(method, url) {
      return { authorization: `DPoP ${accessToken}`, dpop: await proof(method, url) }
    },
  }
}
