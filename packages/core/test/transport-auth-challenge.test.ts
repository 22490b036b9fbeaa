import { describe, expect, it } from 'vitest'
import { APIError } from '../src/index.js'
import {
  type AttemptContext,
  type AuthHook,
  createTransport,
  type TransportOptions,
} from '../src/internal/index.js'
import { sendJson, startServer } from './support/local-server.js'
import { json, scriptedFetch } from './support/scripted-fetch.js'

function transportFor(fetch: typeof globalThis.fetch, options: Partial<TransportOptions> = {}) {
  return createTransport({
    baseUrl: 'https://api.example.test',
    userAgent: 'test/1.0.0',
    fetch,
    retry: { baseDelayMs: 0, random: () => 0 },
    logger: { error() {}, warn() {}, info() {}, debug() {} },
    ...options,
  })
}

/** An auth hook that signs each attempt with a new proof and records what it saw. */
function countingAuth(challenge?: AuthHook['challenge']) {
  const attempts: AttemptContext[] = []
  const hook: AuthHook = {
    authorize(context) {
      attempts.push(context)
      context.headers.set('authorization', `Bearer token-${context.attempt}`)
      context.headers.set('dpop', `proof-jti-${attempts.length}`)
    },
  }
  if (challenge) hook.challenge = challenge
  return { hook, attempts }
}

describe('authorize', () => {
  it('is called before every attempt, so each retry carries a fresh proof', async () => {
    const server = await startServer((_request, response, index) =>
      index < 2 ? sendJson(response, 503, {}) : sendJson(response, 200, { ok: true }),
    )
    try {
      const { hook, attempts } = countingAuth()
      await transportFor(globalThis.fetch, { baseUrl: server.url, auth: hook }).request({
        method: 'GET',
        path: '/me',
        query: { page: 2 },
      })
      expect(server.requests.map((request) => request.headers.dpop)).toEqual([
        'proof-jti-1',
        'proof-jti-2',
        'proof-jti-3',
      ])
      expect(server.requests.map((request) => request.headers.authorization)).toEqual([
        'Bearer token-0',
        'Bearer token-1',
        'Bearer token-2',
      ])
      expect(attempts.map((context) => context.attempt)).toEqual([0, 1, 2])
      expect(attempts[0]).toMatchObject({ method: 'GET' })
      expect(attempts[0]?.url.toString()).toBe(`${server.url}/me?page=2`)
      expect(attempts[0]?.signal).toBeInstanceOf(AbortSignal)
    } finally {
      await server.close()
    }
  })
})

describe('challenge', () => {
  it('re-sends once when the hook names a reason, signing the re-send afresh', async () => {
    const fetch = scriptedFetch(
      json(401, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n-1' }),
      json(200, { ok: 1 }),
    )
    const { hook, attempts } = countingAuth((response) =>
      response.status === 401 && response.headers.has('dpop-nonce') ? 'nonce' : undefined,
    )
    await expect(
      transportFor(fetch, { auth: hook }).request({ method: 'POST', path: '/pay' }),
    ).resolves.toEqual({
      ok: 1,
    })
    expect(fetch.calls.map((request) => request.headers.get('dpop'))).toEqual(['proof-jti-1', 'proof-jti-2'])
    expect(attempts.map((context) => context.attempt)).toEqual([0, 1])
  })

  it('honours one reason once: a server answering 401 forever gets exactly two attempts', async () => {
    const server = await startServer((_request, response) =>
      sendJson(response, 401, { error: 'invalid_token', error_description: 'token expired' }),
    )
    try {
      let challenged = 0
      const { hook } = countingAuth(() => {
        challenged++
        return 'refresh'
      })
      const error = await transportFor(globalThis.fetch, { baseUrl: server.url, auth: hook })
        .request({ method: 'GET', path: '/me' })
        .catch((e: unknown) => e)
      expect(server.requests).toHaveLength(2)
      expect(challenged).toBe(2)
      expect(APIError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ statusCode: 401, code: 'invalid_token', message: 'token expired' })
    } finally {
      await server.close()
    }
  })

  it('honours each distinct reason once', async () => {
    const reasons = ['nonce', 'refresh', 'nonce', 'refresh']
    const fetch = scriptedFetch(json(401, {}))
    const { hook } = countingAuth(() => reasons.shift())
    await expect(
      transportFor(fetch, { auth: hook }).request({ method: 'GET', path: '/me' }),
    ).rejects.toMatchObject({ statusCode: 401 })
    // nonce → re-send, refresh → re-send, nonce again → accepted as the answer.
    expect(fetch.calls).toHaveLength(3)
  })

  it('stops after maxChallenges re-sends whatever the reasons', async () => {
    let counter = 0
    const fetch = scriptedFetch(json(401, {}))
    const { hook } = countingAuth(() => `reason-${counter++}`)
    await expect(
      transportFor(fetch, { auth: hook, maxChallenges: 2 }).request({ method: 'GET', path: '/me' }),
    ).rejects.toMatchObject({ statusCode: 401 })
    expect(fetch.calls).toHaveLength(3)
  })

  it('defaults to at most three challenge re-sends', async () => {
    let counter = 0
    const fetch = scriptedFetch(json(401, {}))
    const { hook } = countingAuth(() => `reason-${counter++}`)
    await expect(
      transportFor(fetch, { auth: hook }).request({ method: 'GET', path: '/me' }),
    ).rejects.toMatchObject({ statusCode: 401 })
    expect(fetch.calls).toHaveLength(4)
  })

  it('re-sends do not consume retries', async () => {
    // 401 (challenge) → 503 → 503 → 200: with maxRetries 2 the two 503s are still retried.
    const fetch = scriptedFetch(json(401, {}), json(503, {}), json(503, {}), json(200, { ok: true }))
    const { hook, attempts } = countingAuth((response) => (response.status === 401 ? 'refresh' : undefined))
    await expect(
      transportFor(fetch, { auth: hook, maxRetries: 2 }).request({ method: 'GET', path: '/me' }),
    ).resolves.toEqual({ ok: true })
    expect(fetch.calls).toHaveLength(4)
    expect(attempts.map((context) => context.attempt)).toEqual([0, 1, 2, 3])
  })

  it('a re-send of a POST carries the same body and idempotency key', async () => {
    const fetch = scriptedFetch(json(401, {}), json(201, {}))
    const { hook } = countingAuth((response) => (response.status === 401 ? 'nonce' : undefined))
    await transportFor(fetch, { auth: hook }).request({
      method: 'POST',
      path: '/pay',
      json: { amount: 5 },
      idempotencyKey: 'key-7',
    })
    expect(fetch.bodies).toEqual(['{"amount":5}', '{"amount":5}'])
    expect(fetch.calls.map((request) => request.headers.get('idempotency-key'))).toEqual(['key-7', 'key-7'])
  })

  it('sees every response, 2xx included, before its body is read', async () => {
    const seen: number[] = []
    const fetch = scriptedFetch(json(200, { ok: true }))
    const { hook } = countingAuth((response) => {
      seen.push(response.status)
      expect(response.bodyUsed).toBe(false)
      return undefined
    })
    await transportFor(fetch, { auth: hook }).request({ method: 'GET', path: '/me' })
    expect(seen).toEqual([200])
  })

  it('an error thrown by the hook rejects the request as is, without another attempt', async () => {
    const fetch = scriptedFetch(json(401, {}))
    const refreshFailed = new Error('refresh failed')
    const { hook } = countingAuth(() => {
      throw refreshFailed
    })
    await expect(transportFor(fetch, { auth: hook }).request({ method: 'GET', path: '/me' })).rejects.toBe(
      refreshFailed,
    )
    expect(fetch.calls).toHaveLength(1)
  })

  it('an error thrown by authorize rejects the request before anything is sent', async () => {
    const fetch = scriptedFetch(json(200, {}))
    const noKey = new Error('no signing key')
    const hook: AuthHook = {
      authorize() {
        throw noKey
      },
    }
    await expect(transportFor(fetch, { auth: hook }).request({ method: 'GET', path: '/me' })).rejects.toBe(
      noKey,
    )
    expect(fetch.calls).toHaveLength(0)
  })
})
