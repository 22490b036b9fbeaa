import { SdkError, UserAbortError } from '@x/core'
import { describe, expect, it, vi } from 'vitest'
import {
  ActionDeniedError,
  ApprovalTimeoutError,
  AuthenticationError,
  NetworkError,
  RelyntError,
  RelyntResponseValidationError,
  RelyntTimeoutError,
  RequestError,
} from '../src/index.js'
import { RelyntClient } from '../src/relynt-client.js'

const secret = 'rls_do-not-print-me'

/** A client whose fetch answers from a script, one entry per attempt. */
function scriptedClient(
  script: ((request: Request) => Response | Promise<Response>)[],
  options: { maxRetries?: number; timeoutMs?: number } = {},
) {
  const requests: Request[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    requests.push(request)
    const step = script[Math.min(requests.length - 1, script.length - 1)]!
    return step(request)
  })
  const client = new RelyntClient({
    baseUrl: 'https://gateway.example.com',
    agentId: 'agt_1',
    agentSecret: secret,
    fetch,
    logger: 'off',
    ...options,
  })
  return { client, requests }
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    Response.json(body, { status, headers })
const allow = json(200, { decision: 'allow', receipt_id: 'rec_1' })

describe('error mapping', () => {
  it.each([401, 403])('maps %i to AuthenticationError without retrying', async (status) => {
    const { client, requests } = scriptedClient([
      json(status, {
        error: { code: status === 401 ? 'unauthorized' : 'forbidden', message: 'Invalid agent credential' },
      }),
    ])
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error).toMatchObject({ statusCode: status, message: 'Invalid agent credential' })
    expect(RequestError.isInstance(error)).toBe(false)
    expect(requests).toHaveLength(1)
  })

  it('maps 409 to a conflict RequestError that explains the reused key, without retrying', async () => {
    const { client, requests } = scriptedClient([
      json(409, { error: { code: 'conflict', message: 'Key reused' } }),
    ])
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RequestError)
    expect(error).toMatchObject({ statusCode: 409, code: 'conflict' })
    expect((error as Error).message).toMatch(/idempotency key was already used with different parameters/)
    expect(requests).toHaveLength(1)
  })

  it.each([
    ['{error:{code,message}}', { error: { code: 'policy_error', message: 'amount is not a number' } }],
    ['{code,message}', { code: 'policy_error', message: 'amount is not a number' }],
    ['{error: code, message}', { error: 'policy_error', message: 'amount is not a number' }],
  ])('reads the code and message of a %s error body', async (_shape, body) => {
    const { client } = scriptedClient([json(422, body)])
    await expect(client.requestAction({ action: 'a', resource: 'r' })).rejects.toMatchObject({
      name: 'RequestError',
      statusCode: 422,
      code: 'policy_error',
      message: 'amount is not a number',
    })
  })

  it('reads an error sent as plain text, with a default code for the status', async () => {
    const { client } = scriptedClient([() => new Response('Bad thing happened', { status: 400 })])
    await expect(client.receipts.get('rec_1')).rejects.toMatchObject({
      statusCode: 400,
      code: 'bad_request',
      message: 'Bad thing happened',
    })
  })

  it('retries 5xx with the same idempotency key and gives up with a RequestError', async () => {
    const { client, requests } = scriptedClient(
      [json(503, { error: { code: 'unavailable', message: 'down' } })],
      {
        maxRetries: 2,
      },
    )
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RequestError)
    expect(error).toMatchObject({ statusCode: 503, code: 'unavailable' })
    expect(requests).toHaveLength(3)
    const keys = new Set(requests.map((request) => request.headers.get('idempotency-key')))
    expect(keys.size).toBe(1)
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('maps a network failure to NetworkError after retrying it with the same key', async () => {
    const { client, requests } = scriptedClient(
      [
        () => {
          throw new TypeError('fetch failed', {
            cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
          })
        },
      ],
      { maxRetries: 1 },
    )
    const error = await client
      .requestAction({ action: 'a', resource: 'r', idempotencyKey: 'key-1' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect(requests.map((request) => request.headers.get('idempotency-key'))).toEqual(['key-1', 'key-1'])
  })

  it('maps an attempt that never answers to a NetworkError with code timeout', async () => {
    const { client } = scriptedClient(
      [
        (request) =>
          new Promise<Response>((_resolve, reject) => {
            request.signal.addEventListener('abort', () => reject(request.signal.reason))
          }),
      ],
      { maxRetries: 0, timeoutMs: 50 },
    )
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(NetworkError)
    expect(error).toMatchObject({ code: 'timeout' })
  })

  it("rejects with core's UserAbortError when the caller's signal aborts", async () => {
    const controller = new AbortController()
    const { client } = scriptedClient([
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason))
          controller.abort()
        }),
    ])
    await expect(
      client.requestAction({ action: 'a', resource: 'r', signal: controller.signal }),
    ).rejects.toBeInstanceOf(UserAbortError)
  })

  it('rejects a 2xx body without the documented shape as invalid_response', async () => {
    const { client } = scriptedClient([json(200, { decision: 'allow' })])
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(RelyntError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_response' })
  })

  it('keeps the secret out of errors even when the server echoes the Authorization header', async () => {
    const { client } = scriptedClient([
      (request) =>
        json(400, {
          error: { code: 'bad_request', message: `got ${request.headers.get('authorization')}` },
        })(),
    ])
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect((error as Error).message).not.toContain(secret)
    expect(JSON.stringify(error)).not.toContain(secret)
  })

  it('succeeds on a retry after a transient failure', async () => {
    const { client, requests } = scriptedClient([json(500, { error: 'internal_error' }), allow])
    await expect(client.requestAction({ action: 'a', resource: 'r' })).resolves.toMatchObject({
      decision: 'allow',
    })
    expect(requests).toHaveLength(2)
  })
})

describe('error classes', () => {
  it('are told apart by brand across copies, and all are RelyntError and SdkError', () => {
    const denied = new ActionDeniedError({
      decision: 'deny',
      reason: 'Field owner_id is not allowed to be modified',
      receiptId: 'rec_1',
      approvalId: undefined,
      idempotencyKey: 'k',
    })
    const timeout = new ApprovalTimeoutError('apr_1', 300_000)
    for (const error of [denied, timeout]) {
      expect(RelyntError.isInstance(error)).toBe(true)
      expect(SdkError.isInstance(error)).toBe(true)
      expect(RequestError.isInstance(error)).toBe(false)
    }
    expect(ActionDeniedError.isInstance(denied)).toBe(true)
    expect(ActionDeniedError.isInstance(timeout)).toBe(false)
    expect(denied.name).toBe('ActionDeniedError')
    expect(denied.message).toContain('Field owner_id is not allowed to be modified')
    expect(timeout).toMatchObject({ name: 'ApprovalTimeoutError', approvalId: 'apr_1', waitedMs: 300_000 })
    expect(timeout.message).toMatch(/still pending after 300 s/)
  })

  it('a timed-out attempt is a RelyntTimeoutError, which is a NetworkError with code timeout', async () => {
    const { client } = scriptedClient(
      [
        (request) =>
          new Promise<Response>((_resolve, reject) =>
            request.signal.addEventListener('abort', () => reject(request.signal.reason)),
          ),
      ],
      { maxRetries: 0, timeoutMs: 20 },
    )
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(RelyntTimeoutError.isInstance(error)).toBe(true)
    expect(NetworkError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ name: 'RelyntTimeoutError', code: 'timeout' })
  })

  it('a 2xx body without the documented shape is a RelyntResponseValidationError', async () => {
    const { client } = scriptedClient([json(200, { decision: 42 })])
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(RelyntResponseValidationError.isInstance(error)).toBe(true)
    expect(RelyntError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_response', issues: expect.any(Array) })
  })
})
