import { describe, expect, it } from 'vitest'
import { SdkError } from '../src/index.js'
import { isLoopbackHost, type Logger, type SecureUrlOptions, secureUrl } from '../src/internal/index.js'

const options: SecureUrlOptions = {
  name: 'baseUrl',
  protects: 'credentials',
  error: (message, details) => new SdkError(message, details),
}
const refusal = (value: string, extra: Partial<SecureUrlOptions> = {}) => {
  try {
    secureUrl(value, { ...options, ...extra })
  } catch (error) {
    return error as SdkError
  }
  throw new Error(`${value} was accepted`)
}

describe('secureUrl', () => {
  it('accepts https and strips trailing slashes from a base URL', () => {
    expect(secureUrl('https://api.example.com/v1//', options).href).toBe('https://api.example.com/v1')
  })

  it.each([
    'http://localhost:3000',
    'http://LOCALHOST',
    'http://127.0.0.1:8080',
    'http://127.8.9.10',
    'http://[::1]:9000',
    'http://[::ffff:127.0.0.1]:9000',
  ])('accepts plain HTTP to this machine: %s', (value) => {
    expect(() => secureUrl(value, options)).not.toThrow()
  })

  it.each([
    'http://api.example.com',
    'http://128.0.0.1',
    'http://[::2]',
    'http://[::ffff:10.0.0.1]',
    'http://127.0.0.1.example.com',
    'http://localhost.example.com',
    // Resolved through DNS by many resolvers, where anyone may answer: not loopback.
    'http://api.localhost',
    'http://a.b.localhost:8080',
    'http://localhost.',
  ])('refuses plain HTTP elsewhere, naming the opt-in: %s', (value) => {
    const error = refusal(value)
    expect(error.code).toBe('insecure_url')
    expect(error).toMatchObject({ param: 'baseUrl', hint: expect.stringMatching(/^Use https:\/\//) })
    expect(error.summary).toMatch(/^Refusing plain HTTP for baseUrl .*unencrypted$/)
    expect(error.message).toMatch(/allowInsecureHttp: true/)
  })

  it('accepts plain HTTP elsewhere with allowInsecureHttp, and warns', () => {
    const warnings: string[] = []
    const logger = { warn: (message: string) => warnings.push(message) } as unknown as Logger
    const url = secureUrl('http://gateway.internal:8080', { ...options, allowInsecureHttp: true, logger })
    expect(url.host).toBe('gateway.internal:8080')
    expect(warnings).toEqual([expect.stringMatching(/gateway\.internal:8080 over plain HTTP/)])
  })

  it('refuses a user name or password without repeating it', () => {
    const error = refusal('https://user:hunter2-pass@api.example.com')
    expect(error.code).toBe('invalid_url')
    expect(error.message).toMatch(/user name or password/)
    expect(error.message).not.toContain('hunter2-pass')
  })

  it('refuses a query or fragment on a base URL, allows a query on a request URL', () => {
    expect(refusal('https://api.example.com/?key=1').code).toBe('invalid_url')
    expect(refusal('https://api.example.com/#top').code).toBe('invalid_url')
    expect(secureUrl('https://api.example.com/r?a=1', { ...options, allowQuery: true }).search).toBe('?a=1')
  })

  it('refuses what is not an http(s) URL without echoing it', () => {
    expect(refusal('not a url sk_live_123').message).not.toContain('sk_live_123')
    expect(refusal('ftp://example.com').code).toBe('invalid_url')
  })

  it('knows loopback host names', () => {
    expect(isLoopbackHost('LOCALHOST')).toBe(true)
    expect(isLoopbackHost('localhost.')).toBe(false)
    expect(isLoopbackHost('api.localhost')).toBe(false)
    expect(isLoopbackHost('[::ffff:7f00:1]')).toBe(true)
    expect(isLoopbackHost('example.com')).toBe(false)
  })
})
