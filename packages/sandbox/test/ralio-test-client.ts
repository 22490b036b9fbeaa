import { createHash, randomUUID } from 'node:crypto'
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'

/**
 * A deliberately small, raw client for the sandbox's own tests: fetch + jose only, so a
 * bug in the SDK can never hide a bug in the sandbox (or the reverse). Every claim and
 * header can be overridden to produce exactly the bad input a test needs.
 */

export const jwtBearer = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface KeyMaterial {
  privateKey: CryptoKey
  publicJwk: JWK
  privateJwk: JWK
  thumbprint: string
}

export async function generateKeyMaterial(): Promise<KeyMaterial> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return {
    privateKey,
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    thumbprint: await calculateJwkThumbprint(publicJwk, 'sha256'),
  }
}

export function nowSeconds(offsetMs = 0): number {
  return Math.floor((Date.now() + offsetMs) / 1000)
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

export interface AssertionOverrides {
  claims?: Record<string, unknown>
  header?: Record<string, unknown>
  signingKey?: CryptoKey
}

export interface ProofOverrides {
  claims?: Record<string, unknown>
  /** Claims to leave out entirely. */
  omit?: string[]
  header?: Record<string, unknown>
  signingKey?: CryptoKey
  /** The token to hash into `ath`; default the request's token. */
  athToken?: string
}

export interface TokenResponseBody {
  access_token: string
  token_type: string
  expires_in: number
  refresh_token: string
  scope: string
}

export class TestCredential {
  /** Seconds to add to the local clock when signing, to follow a skewed server. */
  clockOffsetMs = 0

  private constructor(
    readonly sandbox: RalioSandbox,
    readonly key: KeyMaterial,
    readonly clientId: string,
  ) {}

  get tokenUrl(): string {
    return `${this.sandbox.url}/oauth/token`
  }

  /** Registers a fresh key on a fresh ticket. */
  static async register(
    sandbox: RalioSandbox,
    options: { scopes?: string[]; scopeCeiling?: string[] } = {},
  ): Promise<TestCredential> {
    const key = await generateKeyMaterial()
    const { ticket } = sandbox.mintTicket(options.scopeCeiling ? { scopeCeiling: options.scopeCeiling } : {})
    const response = await postJson(`${sandbox.url}/api/credential-bindings/registrations`, {
      ticket,
      public_key_jwk: key.publicJwk,
      ...(options.scopes ? { requested_scopes: options.scopes } : {}),
      client_metadata: { hostname: 'test-host' },
    })
    if (response.status !== 201)
      throw new Error(`registration failed: ${response.status} ${await response.text()}`)
    const body = (await response.json()) as { client_id: string }
    return new TestCredential(sandbox, key, body.client_id)
  }

  async assertion(overrides: AssertionOverrides = {}): Promise<string> {
    const iat = nowSeconds(this.clockOffsetMs)
    return new SignJWT({
      iss: this.clientId,
      sub: this.clientId,
      aud: this.tokenUrl,
      iat,
      exp: iat + 60,
      jti: randomUUID(),
      ...overrides.claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.key.thumbprint, ...overrides.header } as { alg: string })
      .sign(overrides.signingKey ?? this.key.privateKey)
  }

  async proof(
    method: string,
    url: string,
    accessToken?: string,
    overrides: ProofOverrides = {},
  ): Promise<string> {
    const claims: Record<string, unknown> = {
      htm: method,
      htu: url,
      iat: nowSeconds(this.clockOffsetMs),
      jti: randomUUID(),
      ...(accessToken !== undefined || overrides.athToken !== undefined
        ? {
            ath: createHash('sha256')
              .update(overrides.athToken ?? accessToken ?? '')
              .digest('base64url'),
          }
        : {}),
      ...overrides.claims,
    }
    for (const name of overrides.omit ?? []) delete claims[name]
    return new SignJWT(claims)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: this.key.publicJwk, ...overrides.header } as {
        alg: string
      })
      .sign(overrides.signingKey ?? this.key.privateKey)
  }

  /** `POST /oauth/token` with a form body; `params` are added to (or replace) the defaults. */
  async tokenRequest(
    params: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams(params)
    return fetch(this.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    })
  }

  async clientCredentialsRequest(
    options: {
      assertion?: AssertionOverrides
      params?: Record<string, string>
      headers?: Record<string, string>
    } = {},
  ): Promise<Response> {
    return this.tokenRequest(
      {
        grant_type: 'client_credentials',
        client_assertion_type: jwtBearer,
        client_assertion: await this.assertion(options.assertion),
        ...options.params,
      },
      options.headers,
    )
  }

  async mintToken(params: Record<string, string> = {}): Promise<TokenResponseBody> {
    const response = await this.clientCredentialsRequest({ params })
    if (response.status !== 200)
      throw new Error(`token request failed: ${response.status} ${await response.text()}`)
    return (await response.json()) as TokenResponseBody
  }

  /** A DPoP-authenticated request to a resource path. */
  async resource(
    method: string,
    path: string,
    options: {
      token: string
      body?: unknown
      proof?: ProofOverrides | false
      headers?: Record<string, string>
      signal?: AbortSignal
    },
  ): Promise<Response> {
    const url = `${this.sandbox.url}${path}`
    const headers: Record<string, string> = { authorization: `DPoP ${options.token}`, ...options.headers }
    if (options.proof !== false) {
      headers.dpop = await this.proof(method, url.split('?')[0] ?? url, options.token, options.proof || {})
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    return fetch(url, {
      method,
      headers,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.body !== undefined
        ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
        : {}),
    })
  }
}

export interface ServerSentEvent {
  event: string
  data: string
}

/** Minimal SSE parsing for assertions: events separated by blank lines, comments dropped. */
export function parseServerSentEvents(text: string): { events: ServerSentEvent[]; comments: string[] } {
  const events: ServerSentEvent[] = []
  const comments: string[] = []
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message'
    const data: string[] = []
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim())
      else if (line.startsWith('event:')) event = line.slice(6).trim()
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') })
  }
  return { events, comments }
}

export function challengeOf(response: Response): string {
  return response.headers.get('www-authenticate') ?? ''
}

/** `Authorization: Bearer <adminToken>`, what `/__admin` requires over HTTP. */
export const adminHeaders = (sandbox: { adminToken: string }): Record<string, string> => ({
  authorization: `Bearer ${sandbox.adminToken}`,
})
