import { decodeJwt } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { RalioAuthError, RalioClockSkewError } from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { type RalioSandbox, registeredClient, startSandbox } from './sandbox.js'

/** A fetch that records every request's method, path, and DPoP proof and body. */
function recordingFetch() {
  const requests: { method: string; path: string; dpop: string | null; body: string; status?: number }[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    const entry = {
      method: request.method,
      path: new URL(request.url).pathname,
      dpop: request.headers.get('dpop'),
      body: await request.clone().text(),
    }
    requests.push(entry)
    const response = await globalThis.fetch(request)
    Object.assign(entry, { status: response.status })
    return response
  }
  return { fetch, requests }
}

/** Two calls, each 28 minutes after the previous one: each needs a refreshed token. */
async function callTwiceNearExpiry(client: { agents: { list(): Promise<unknown> } }): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] })
  try {
    vi.setSystemTime(Date.now() + 28 * 60_000)
    await client.agents.list()
    vi.setSystemTime(Date.now() + 28 * 60_000)
    await client.agents.list()
  } finally {
    vi.useRealTimers()
  }
}

describe('authentication against the sandbox', () => {
  let sandbox: RalioSandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())
  beforeEach(() => {
    sandbox.clearFaults()
    sandbox.setNonceMode({ enabled: false })
    sandbox.setClockOffset(0)
  })

  it('sends exactly one token request for 500 concurrent first calls', async () => {
    const { client } = await registeredClient(sandbox)
    const before = sandbox.stats().tokenRequests
    const results = await Promise.all(Array.from({ length: 500 }, () => client.agents.list()))
    expect(results).toHaveLength(500)
    expect(sandbox.stats().tokenRequests - before).toBe(1)
    client.close()
  })

  it('signs the token request with a DPoP proof without ath, and resources with ath and a fresh jti each', async () => {
    const recorder = recordingFetch()
    const { client } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    await client.agents.list()
    const [token, first, second] = recorder.requests
    expect(token!.path).toBe('/oauth/token')
    const tokenProof = decodeJwt(token!.dpop!)
    expect(tokenProof).toMatchObject({ htm: 'POST', htu: `${sandbox.url}/oauth/token` })
    expect(tokenProof).not.toHaveProperty('ath')
    const proofs = [decodeJwt(first!.dpop!), decodeJwt(second!.dpop!)]
    expect(proofs[0]).toMatchObject({ htm: 'GET', htu: `${sandbox.url}/api/agents`, ath: expect.any(String) })
    expect(proofs[0]!.jti).not.toBe(proofs[1]!.jti)
    client.close()
  })

  it('answers a nonce challenge at the token endpoint with a fresh assertion and proof', async () => {
    sandbox.setNonceMode({ enabled: true })
    const recorder = recordingFetch()
    const { client } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    const tokenRequests = recorder.requests.filter((request) => request.path === '/oauth/token')
    expect(tokenRequests.map((request) => request.status)).toEqual([400, 200])
    const [refused, accepted] = tokenRequests.map((request) => new URLSearchParams(request.body))
    expect(refused!.get('client_assertion')).not.toBe(accepted!.get('client_assertion'))
    expect(decodeJwt(tokenRequests[1]!.dpop!).nonce).toBe(sandbox.currentNonce())
    // The nonce learnt at the token endpoint is reused for the resource on the same origin.
    const resource = recorder.requests.filter((request) => request.path === '/api/agents')
    expect(resource.map((request) => request.status)).toEqual([200])
    client.close()
  })

  it('answers a nonce challenge at a resource once per fresh nonce and never loops', async () => {
    const recorder = recordingFetch()
    const { client } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    sandbox.setNonceMode({ enabled: true })
    await client.agents.list()
    const resource = recorder.requests.filter((request) => request.path === '/api/agents')
    expect(resource.map((request) => request.status)).toEqual([200, 401, 200])
    expect(decodeJwt(resource[2]!.dpop!).nonce).toBe(sandbox.currentNonce())

    // A server that keeps asking for the nonce it was just given gets one re-send, not a loop.
    recorder.requests.length = 0
    sandbox.injectFault({
      route: 'GET /api/agents',
      count: 10,
      status: 401,
      body: { detail: 'nonce please' },
      headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': 'stuck-nonce' },
    })
    await expect(client.agents.list()).rejects.toSatisfy((error) => RalioAuthError.isInstance(error))
    expect(recorder.requests.filter((request) => request.path === '/api/agents')).toHaveLength(2)
    client.close()
  })

  it('re-sends every concurrent request refused for a nonce, also those a sibling already learnt it for', async () => {
    const recorder = recordingFetch()
    const { client } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    sandbox.setNonceMode({ enabled: true })
    recorder.requests.length = 0
    const results = await Promise.all(Array.from({ length: 4 }, () => client.agents.list()))
    expect(results).toHaveLength(4)
    const statuses = recorder.requests
      .filter((request) => request.path === '/api/agents')
      .map((r) => r.status)
    expect(statuses.filter((status) => status === 401)).toHaveLength(4)
    expect(statuses.filter((status) => status === 200)).toHaveLength(4)
    client.close()
  })

  it('understands a bare (unquoted) error in the challenge and answers with the fresh nonce', async () => {
    const recorder = recordingFetch()
    const { client } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    recorder.requests.length = 0
    sandbox.injectFault({
      route: 'GET /api/agents',
      count: 1,
      status: 401,
      body: { detail: 'nonce please' },
      headers: { 'WWW-Authenticate': 'DPoP error=use_dpop_nonce', 'DPoP-Nonce': 'bare-nonce-1' },
    })
    await client.agents.list()
    const resource = recorder.requests.filter((request) => request.path === '/api/agents')
    expect(resource.map((request) => request.status)).toEqual([401, 200])
    expect(decodeJwt(resource[1]!.dpop!).nonce).toBe('bare-nonce-1')
    expect(recorder.requests.filter((request) => request.path === '/oauth/token')).toHaveLength(0)
    client.close()
  })

  it('ignores an oversized DPoP-Nonce: no re-send with it, and later proofs do not carry it', async () => {
    const recorder = recordingFetch()
    const { client } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    recorder.requests.length = 0
    sandbox.injectFault({
      route: 'GET /api/agents',
      count: 1,
      status: 401,
      body: { detail: 'nonce please' },
      headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': 'n'.repeat(4_000) },
    })
    await expect(client.agents.list()).rejects.toSatisfy((error) => RalioAuthError.isInstance(error))
    expect(await client.agents.list()).toHaveLength(1)
    const proofs = recorder.requests.filter((request) => request.path === '/api/agents')
    expect(proofs).toHaveLength(2)
    for (const request of proofs) expect(decodeJwt(request.dpop!).nonce).toBeUndefined()
    client.close()
  })

  it('refreshes with the rotating refresh token before expiry and never presents an old one', async () => {
    const recorder = recordingFetch()
    const { client } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    const before = sandbox.stats()
    await callTwiceNearExpiry(client)
    const after = sandbox.stats()
    expect(after.refreshes - before.refreshes).toBe(2)
    expect(after.familyRevocations).toBe(before.familyRevocations)
    const refreshTokens = recorder.requests
      .filter((request) => request.path === '/oauth/token')
      .map((request) => new URLSearchParams(request.body))
      .filter((form) => form.get('grant_type') === 'refresh_token')
      .map((form) => form.get('refresh_token'))
    expect(refreshTokens).toHaveLength(2)
    expect(new Set(refreshTokens).size).toBe(2)
    client.close()
  })

  it('keeps its refresh token when a refresh answer carries none (a server that does not rotate)', async () => {
    const presented: string[] = []
    const nonRotating: typeof fetch = async (input, init) => {
      const request = new Request(input, init)
      const form = new URLSearchParams(await request.clone().text())
      const response = await fetch(request)
      if (new URL(request.url).pathname !== '/oauth/token' || form.get('grant_type') !== 'refresh_token')
        return response
      presented.push(form.get('refresh_token')!)
      const { refresh_token: _dropped, ...body } = (await response.json()) as Record<string, unknown>
      return Response.json(body, { status: response.status, headers: response.headers })
    }
    const { client } = await registeredClient(sandbox, { fetch: nonRotating })
    await client.agents.list()
    await callTwiceNearExpiry(client)
    // The second refresh presents the token the first one kept, instead of forgetting it.
    expect(presented).toHaveLength(2)
    expect(presented[1]).toBe(presented[0])
    client.close()
  })

  it('recovers with a fresh mint when a replayed refresh token got its family revoked', async () => {
    const captured: string[] = []
    const capture: typeof fetch = async (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname
      const response = await fetch(input, init)
      if (path === '/oauth/token' && response.ok) {
        captured.push(((await response.clone().json()) as { refresh_token: string }).refresh_token)
      }
      return response
    }
    const { client, clientId } = await registeredClient(sandbox, { fetch: capture })
    await client.agents.list()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 28 * 60_000)
      await client.agents.list() // rotates: captured[0] is now spent
      // Someone replays the spent refresh token: the server revokes the whole family.
      const replay = await fetch(`${sandbox.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: captured[0]!,
          client_id: clientId,
        }),
      })
      expect(replay.status).toBe(400)
      const before = sandbox.stats()
      expect(before.familyRevocations).toBeGreaterThan(0)
      // The access token died with the family: 401 → refresh (refused) → fresh mint → re-send.
      expect(await client.agents.list()).toHaveLength(1)
      const after = sandbox.stats()
      expect(after.tokensIssued - before.tokensIssued).toBe(1)
    } finally {
      vi.useRealTimers()
    }
    client.close()
  })

  it('refreshes once and re-sends once after a plain 401, then reports RalioAuthError', async () => {
    const recorder = recordingFetch()
    const { client, clientId } = await registeredClient(sandbox, { fetch: recorder.fetch })
    await client.agents.list()
    sandbox.revokeTokens(clientId)
    expect(await client.agents.list()).toHaveLength(1)
    const statuses = recorder.requests.slice(2).map((request) => `${request.path} ${request.status}`)
    // revoked token → refresh refused (family revoked too) → mint → re-send succeeds
    expect(statuses).toEqual(['/api/agents 401', '/oauth/token 400', '/oauth/token 200', '/api/agents 200'])

    sandbox.injectFault({
      route: 'GET /api/agents',
      count: 5,
      status: 401,
      body: { detail: 'Token expired' },
    })
    recorder.requests.length = 0
    const error = await client.agents.list().catch((caught: unknown) => caught)
    expect(RalioAuthError.isInstance(error)).toBe(true)
    expect((error as RalioAuthError).statusCode).toBe(401)
    expect(recorder.requests.filter((request) => request.path === '/api/agents')).toHaveLength(2)
    expect(recorder.requests.filter((request) => request.path === '/oauth/token')).toHaveLength(1)
    client.close()
  })

  it('refuses to adopt a server clock decades away (RalioClockSkewError) and recovers once it is sane', async () => {
    const { client } = await registeredClient(sandbox)
    sandbox.setClockOffset(74 * 365 * 24 * 60 * 60_000)
    try {
      const error = await client.agents.list().catch((caught: unknown) => caught)
      expect(RalioClockSkewError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'clock_skew' })
      expect((error as Error).message).toMatch(/years ahead/)
    } finally {
      sandbox.setClockOffset(0)
    }
    expect(await client.agents.list()).toHaveLength(1)
    client.close()
  })

  it('corrects its clock from the Date header when the server refuses the proof iat', async () => {
    const { client } = await registeredClient(sandbox)
    sandbox.setClockOffset(10 * 60_000)
    // Token endpoint (assertion and proof iat) and resources both recover.
    expect(await client.agents.list()).toHaveLength(1)
    await using other = new RalioClient({
      baseUrl: sandbox.url,
      credentialStore: (await registeredClient(sandbox)).store,
    })
    await other.agents.list()
    sandbox.setClockOffset(-10 * 60_000)
    expect(await other.agents.list()).toHaveLength(1)
    client.close()
  })
})
