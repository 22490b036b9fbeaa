import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  APIError,
  ClientClosedError,
  ConnectionError,
  RateLimitError,
  ResponseValidationError,
  SdkError,
  TimeoutError,
  UserAbortError,
} from '../src/index.js'
import { apiErrorBase } from '../src/internal/index.js'

const apiInit = {
  statusCode: 429,
  code: 'rate_limited',
  message: 'Slow down',
  body: { error: 'rate_limited' },
  requestId: 'req_1',
  headers: { 'x-request-id': 'req_1' },
  retryAfterMs: 2_000,
}

describe('brands and isInstance', () => {
  it('every class recognises its own instances and its subclasses', () => {
    const error = new RateLimitError(apiInit)
    expect(RateLimitError.isInstance(error)).toBe(true)
    expect(APIError.isInstance(error)).toBe(true)
    expect(SdkError.isInstance(error)).toBe(true)
    expect(ConnectionError.isInstance(error)).toBe(false)
  })

  it('a parent instance is not an instance of its subclass', () => {
    const error = new APIError({ ...apiInit, statusCode: 500 })
    expect(APIError.isInstance(error)).toBe(true)
    expect(RateLimitError.isInstance(error)).toBe(false)
    const connection = new ConnectionError({ message: 'reset' })
    expect(TimeoutError.isInstance(connection)).toBe(false)
    expect(ConnectionError.isInstance(new TimeoutError({ message: 'slow' }))).toBe(true)
  })

  it('recognises an error made by a second installed copy of the classes', () => {
    // What another copy of @x/core would declare: different classes, same Symbol.for brands.
    class OtherSdkError extends Error {
      static readonly brand: symbol = Symbol.for('x.error.SdkError')
      constructor(message: string) {
        super(message)
        Object.defineProperty(this, Symbol.for('x.error.SdkError'), { value: true })
        Object.defineProperty(this, Symbol.for('x.error.APIError'), { value: true })
        Object.defineProperty(this, Symbol.for('x.error.RateLimitError'), { value: true })
      }
    }
    const foreign = new OtherSdkError('from the other copy')
    expect(foreign instanceof SdkError).toBe(false)
    expect(SdkError.isInstance(foreign)).toBe(true)
    expect(APIError.isInstance(foreign)).toBe(true)
    expect(RateLimitError.isInstance(foreign)).toBe(true)
    expect(TimeoutError.isInstance(foreign)).toBe(false)
  })

  it('a family defined like a thin package would keeps the whole chain', () => {
    class AcmeError extends SdkError {
      static override readonly brand: symbol = Symbol.for('x.error.AcmeError')
    }
    class AcmeAPIError extends AcmeError {
      static override readonly brand: symbol = Symbol.for('x.error.AcmeAPIError')
    }
    class AcmeAuthError extends AcmeAPIError {
      static override readonly brand: symbol = Symbol.for('x.error.AcmeAuthError')
    }
    const error = new AcmeAuthError('no', { code: 'unauthorized' })
    for (const Class of [AcmeAuthError, AcmeAPIError, AcmeError, SdkError])
      expect(Class.isInstance(error)).toBe(true)
    expect(APIError.isInstance(error)).toBe(false)
    expect(AcmeAuthError.isInstance(new AcmeError('x'))).toBe(false)
    expect(error).toBeInstanceOf(AcmeAPIError)
  })

  it('rejects values that are not errors', () => {
    for (const value of [undefined, null, 'SdkError', 42, {}, new Error('plain')])
      expect(SdkError.isInstance(value)).toBe(false)
  })
})

describe('names and codes', () => {
  it('takes the name from the brand, so minified class names do not leak into logs', () => {
    const Minified = class extends SdkError {
      static override readonly brand: symbol = Symbol.for('x.error.AcmeQuotaError')
    }
    expect(new Minified('x').name).toBe('AcmeQuotaError')
    expect(new RateLimitError(apiInit).name).toBe('RateLimitError')
    expect(new TimeoutError({ message: 'slow' }).name).toBe('TimeoutError')
    expect(new SdkError('x').name).toBe('SdkError')
  })

  it('a subclass that declares no brand is named after its nearest branded parent', () => {
    class Unbranded extends ConnectionError {}
    expect(new Unbranded({ message: 'x' }).name).toBe('ConnectionError')
    expect(ConnectionError.isInstance(new Unbranded({ message: 'x' }))).toBe(true)
  })

  it('UserAbortError is an AbortError with code aborted', () => {
    const error = new UserAbortError()
    expect(error).toMatchObject({ name: 'AbortError', code: 'aborted' })
    expect(error.message).toMatch(/aborted by the caller/)
  })

  it('each class has a stable default code', () => {
    expect(new SdkError('x').code).toBe('sdk_error')
    expect(new ConnectionError({ message: 'x' }).code).toBe('connection_error')
    expect(new TimeoutError({ message: 'x' }).code).toBe('timeout')
    expect(new ResponseValidationError('x').code).toBe('invalid_response')
    expect(new ClientClosedError().code).toBe('client_closed')
    expect(new ConnectionError({ message: 'x', code: 'stream_incomplete' }).code).toBe('stream_incomplete')
  })

  it('keeps the cause', () => {
    const cause = new Error('socket hang up')
    expect(new ConnectionError({ message: 'x', cause }).cause).toBe(cause)
  })
})

describe('API error fields and JSON', () => {
  it('carries status, code, body, request id, headers and retryAfterMs', () => {
    const error = new RateLimitError(apiInit)
    expect(error).toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      message: 'Slow down',
      body: { error: 'rate_limited' },
      requestId: 'req_1',
      headers: { 'x-request-id': 'req_1' },
      retryAfterMs: 2_000,
    })
  })

  it('apiErrorBase gives a family its API error: fields, toJSON, and the family base', () => {
    class AcmeError extends SdkError {
      static override readonly brand: symbol = Symbol.for('x.error.AcmeError2')
    }
    class AcmeAPIError extends apiErrorBase(AcmeError) {
      static override readonly brand: symbol = Symbol.for('x.error.AcmeAPIError2')
    }
    const error = new AcmeAPIError(apiInit)
    expect(error).toMatchObject({
      statusCode: 429,
      requestId: 'req_1',
      code: 'rate_limited',
      retryAfterMs: 2_000,
    })
    expect(error.name).toBe('AcmeAPIError2')
    expect(AcmeAPIError.isInstance(error) && AcmeError.isInstance(error) && SdkError.isInstance(error)).toBe(
      true,
    )
    expect(error).toBeInstanceOf(AcmeError)
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'AcmeAPIError2', statusCode: 429 })
  })

  it('toJSON names the error and leaves the headers out', () => {
    const json = JSON.parse(JSON.stringify(new RateLimitError(apiInit)))
    expect(json).toEqual({
      name: 'RateLimitError',
      code: 'rate_limited',
      message: 'Slow down',
      statusCode: 429,
      requestId: 'req_1',
      retryAfterMs: 2_000,
      body: { error: 'rate_limited' },
    })
    expect(JSON.parse(JSON.stringify(new TimeoutError({ message: 'slow' })))).toEqual({
      name: 'TimeoutError',
      code: 'timeout',
      message: 'slow',
    })
  })

  it('util.inspect shows the name and code', () => {
    const printed = inspect(new RateLimitError(apiInit))
    expect(printed).toContain('RateLimitError')
    expect(printed).toContain("code: 'rate_limited'")
  })
})
