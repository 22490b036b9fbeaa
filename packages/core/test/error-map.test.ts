import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import * as zm from 'zod/mini'
import { type ConnectionErrorInit, ResponseValidationError, SdkError } from '../src/index.js'
import {
  apiErrorBase,
  createApiError,
  createTransport,
  defaultCodeForStatus,
  defaultErrorMap,
  describeErrorBody,
  type ErrorMap,
} from '../src/internal/index.js'
import { hang, json, resetError, scriptedFetch } from './support/scripted-fetch.js'

// A tiny family, declared the way @x/ralio or @x/relynt declares its own.
class AcmeError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.test.AcmeError')
}
class AcmeAPIError extends apiErrorBase(AcmeError) {
  static override readonly brand: symbol = Symbol.for('x.error.test.AcmeAPIError')
}
class AcmeAuthError extends AcmeAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.test.AcmeAuthError')
}
class AcmeNotFoundError extends AcmeAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.test.AcmeNotFoundError')
}
class AcmeRateLimitError extends AcmeAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.test.AcmeRateLimitError')
}
class AcmeConnectionError extends AcmeError {
  static override readonly brand: symbol = Symbol.for('x.error.test.AcmeConnectionError')
  constructor(init: ConnectionErrorInit) {
    super(init.message, { code: init.code ?? 'connection_error', cause: init.cause })
  }
}
class AcmeTimeoutError extends AcmeConnectionError {
  static override readonly brand: symbol = Symbol.for('x.error.test.AcmeTimeoutError')
}

const acmeErrors: ErrorMap = {
  api: { 401: AcmeAuthError, 404: AcmeNotFoundError, 429: AcmeRateLimitError, default: AcmeAPIError },
  connection: AcmeConnectionError,
  timeout: AcmeTimeoutError,
}

const source = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers(headers),
  text: typeof body === 'string' ? body : JSON.stringify(body),
})

describe('status → class', () => {
  it.each([
    [401, AcmeAuthError],
    [404, AcmeNotFoundError],
    [429, AcmeRateLimitError],
    [400, AcmeAPIError],
    [500, AcmeAPIError],
  ])('a %i becomes the class the table names', (status, Class) => {
    const error = createApiError(acmeErrors, source(status, {}))
    expect(Class.isInstance(error)).toBe(true)
    expect(AcmeError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ statusCode: status })
  })

  it('fills code, message, body and request id from the response', () => {
    const error = createApiError(acmeErrors, {
      ...source(
        404,
        { error: { code: 'agent_not_found', message: 'No agent ag_1' } },
        { 'request-id': 'req_7' },
      ),
    })
    expect(error).toMatchObject({
      code: 'agent_not_found',
      message: 'No agent ag_1',
      requestId: 'req_7',
      body: { error: { code: 'agent_not_found', message: 'No agent ag_1' } },
    })
  })

  it('prefers x-request-id over request-id', () => {
    const error = createApiError(acmeErrors, source(500, {}, { 'x-request-id': 'a', 'request-id': 'b' }))
    expect(error).toMatchObject({ requestId: 'a' })
  })

  it('falls back to a code for the status and a message naming the request', () => {
    const error = createApiError(acmeErrors, { ...source(503, ''), requestLabel: 'GET https://api.test/x' })
    expect(error).toMatchObject({
      code: 'unavailable',
      message: 'HTTP 503 from GET https://api.test/x',
      body: undefined,
    })
  })

  it('uses the family describe() when given', () => {
    const map: ErrorMap = {
      ...acmeErrors,
      describe: (_body, status) => ({ code: `acme_${status}`, message: 'custom' }),
    }
    expect(createApiError(map, source(418, {}))).toMatchObject({ code: 'acme_418', message: 'custom' })
  })

  it('the default map uses core classes', () => {
    const error = createApiError(defaultErrorMap, source(429, {}))
    expect(error.name).toBe('RateLimitError')
  })

  it('has a default code for common statuses', () => {
    expect(defaultCodeForStatus(401)).toBe('unauthorized')
    expect(defaultCodeForStatus(409)).toBe('conflict')
    expect(defaultCodeForStatus(599)).toBe('server_error')
    expect(defaultCodeForStatus(418)).toBe('http_error')
  })
})

describe('describeErrorBody', () => {
  it.each<[string, unknown, { code?: string; message?: string }]>([
    ['{detail: string}', { detail: 'Not enough balance' }, { message: 'Not enough balance' }],
    [
      'FastAPI validation array {detail: [{loc, msg}]}',
      {
        detail: [
          { loc: ['body', 'message'], msg: 'Field required', type: 'missing' },
          {
            loc: ['query', 'per_page'],
            msg: 'Input should be less than or equal to 200',
            type: 'less_than_equal',
          },
        ],
      },
      {
        code: 'validation_error',
        message: 'message: Field required; query.per_page: Input should be less than or equal to 200',
      },
    ],
    [
      '{detail: {error, error_description}}',
      { detail: { error: 'invalid_grant', error_description: 'ticket used' } },
      { code: 'invalid_grant', message: 'ticket used' },
    ],
    [
      '{error, error_description}',
      { error: 'invalid_client', error_description: 'unknown client' },
      { code: 'invalid_client', message: 'unknown client' },
    ],
    ['{error} alone', { error: 'invalid_request' }, { code: 'invalid_request', message: 'invalid_request' }],
    [
      '{error: {code, message}}',
      { error: { code: 'quota', message: 'Over quota' } },
      { code: 'quota', message: 'Over quota' },
    ],
    [
      '{error: {type, message}}',
      { error: { type: 'overloaded', message: 'Busy' } },
      { code: 'overloaded', message: 'Busy' },
    ],
    [
      '{code, message}',
      { code: 'denied', message: 'Policy denied it' },
      { code: 'denied', message: 'Policy denied it' },
    ],
    ['raw text', 'Bad Gateway', { message: 'Bad Gateway' }],
    ['blank text', '   ', { message: undefined }],
  ])('understands %s', (_shape, body, expected) => {
    const described = describeErrorBody(body)
    expect(described.code).toBe(expected.code)
    expect(described.message).toBe(expected.message)
  })

  it('says nothing for bodies it does not understand', () => {
    for (const body of [undefined, null, 42, [], { unrelated: true }]) {
      const described = describeErrorBody(body)
      expect(described.code).toBeUndefined()
      expect(described.message).toBeUndefined()
    }
  })

  it('cuts a long text body to 500 characters', () => {
    expect(describeErrorBody('x'.repeat(2_000)).message).toHaveLength(500)
  })
})

describe('through the transport', () => {
  const transportFor = (fetch: typeof globalThis.fetch, errors: ErrorMap = acmeErrors) =>
    createTransport({
      baseUrl: 'https://api.example.test',
      userAgent: 'acme/1.0.0',
      fetch,
      errors,
      maxRetries: 0,
      timeoutMs: 20,
      logger: { error() {}, warn() {}, info() {}, debug() {} },
    })

  it('throws the family class for an HTTP error', async () => {
    const error = await transportFor(scriptedFetch(json(401, { detail: 'expired' })))
      .request({ method: 'GET', path: '/me' })
      .catch((e: unknown) => e)
    expect(AcmeAuthError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ statusCode: 401, code: 'unauthorized', message: 'expired' })
  })

  it("throws the family's connection class for a network failure", async () => {
    const error = await transportFor(scriptedFetch(resetError()))
      .request({ method: 'GET', path: '/me' })
      .catch((e: unknown) => e)
    expect(AcmeConnectionError.isInstance(error)).toBe(true)
  })

  it("throws the family's timeout class for a per-attempt timeout", async () => {
    const error = await transportFor(scriptedFetch(hang))
      .request({ method: 'GET', path: '/me' })
      .catch((e: unknown) => e)
    expect(AcmeTimeoutError.isInstance(error)).toBe(true)
    expect(AcmeConnectionError.isInstance(error)).toBe(true)
  })

  it('validates a 2xx body with the schema and returns the parsed value', async () => {
    const schema = z.looseObject({ agent_id: z.string() }).transform((body) => ({ agentId: body.agent_id }))
    const data: { agentId: string } = await transportFor(
      scriptedFetch(json(200, { agent_id: 'ag_1', extra: true })),
    ).request({
      method: 'GET',
      path: '/agent',
      schema,
    })
    expect(data).toEqual({ agentId: 'ag_1' })
  })

  it('a 2xx body that fails its schema is a ResponseValidationError listing the issues', async () => {
    const schema = z.object({ agent_id: z.string() })
    const error = await transportFor(scriptedFetch(json(200, { agent_id: 7 })))
      .request({ method: 'GET', path: '/agent', schema })
      .catch((e: unknown) => e)
    expect(ResponseValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_response', issues: [{ path: ['agent_id'] }] })
  })

  it('a zod/mini schema validates, transforms and reports issues the same way', async () => {
    const schema = zm.pipe(
      zm.looseObject({ agent_id: zm.string() }),
      zm.transform((body) => ({ agentId: body.agent_id })),
    )
    const data: { agentId: string } = await transportFor(
      scriptedFetch(json(200, { agent_id: 'ag_1', extra: true })),
    ).request({ method: 'GET', path: '/agent', schema })
    expect(data).toEqual({ agentId: 'ag_1' })
    const error = await transportFor(scriptedFetch(json(200, { agent_id: 7 })))
      .request({ method: 'GET', path: '/agent', schema })
      .catch((e: unknown) => e)
    expect(ResponseValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_response', issues: [{ path: ['agent_id'] }] })
  })

  it('a 2xx body that is not JSON is a ResponseValidationError', async () => {
    const fetch = scriptedFetch(
      new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    )
    const error = await transportFor(fetch)
      .request({ method: 'GET', path: '/agent' })
      .catch((e: unknown) => e)
    expect(ResponseValidationError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('text/html')
  })

  it('an empty 2xx body is undefined', async () => {
    const fetch = scriptedFetch(new Response(null, { status: 204 }))
    await expect(transportFor(fetch).request({ method: 'DELETE', path: '/agent/1' })).resolves.toBeUndefined()
  })
})
