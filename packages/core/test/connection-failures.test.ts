import { describe, expect, it } from 'vitest'
import { ErrorCode, SdkError } from '../src/index.js'
import { createTransport, pathSegment } from '../src/internal/index.js'

/** A fetch failing as Node's undici does: a TypeError whose cause carries the system code. */
const failingFetch = (code: string, message: string) => async () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) })
}

describe('connection failures say what happened', () => {
  it.each([
    [
      'ENOTFOUND',
      'getaddrinfo ENOTFOUND gateway.example.invalid',
      ErrorCode.hostNotFound,
      /could not resolve host gateway\.example\.invalid/,
    ],
    [
      'ECONNREFUSED',
      'connect ECONNREFUSED 127.0.0.1:9',
      ErrorCode.connectionRefused,
      /the connection was refused/,
    ],
    ['ECONNRESET', 'socket hang up', ErrorCode.connectionError, /the connection failed/],
  ])('%s', async (code, message, expectedCode, wording) => {
    const transport = createTransport({
      baseUrl: 'https://gateway.example.invalid',
      userAgent: 'test/1',
      fetch: failingFetch(code, message),
      maxRetries: 0,
    })
    const error = await transport
      .request({ method: 'GET', path: '/v1/things' })
      .catch((caught: unknown) => caught)
    transport.close()
    expect(error).toMatchObject({ code: expectedCode })
    expect((error as Error).message).toMatch(wording)
    if (expectedCode === ErrorCode.hostNotFound) expect((error as Error).message).not.toMatch(/refused/)
  })
})

describe('pathSegment', () => {
  const error = (message: string, details: object) => new SdkError(message, details)
  const check = (value: unknown) =>
    pathSegment(value, { param: 'receiptId', method: 'receipts.get', what: 'a receipt id', error })

  it('encodes an id for one path segment', () => {
    expect(check('rcpt 1?x')).toBe('rcpt%201%3Fx')
  })

  it.each(['.', '..', 'a/b', '../admin', 'a\\b', '', '  ', undefined, 42])(
    'refuses %j before any request',
    (value) => {
      expect(() => check(value)).toThrow(
        expect.objectContaining({ code: 'invalid_argument', param: 'receiptId' }),
      )
    },
  )
})
