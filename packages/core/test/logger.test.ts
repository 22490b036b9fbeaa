import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger, isLogLevel, type Logger } from '../src/internal/index.js'

const TOKEN = 'sk_live_loggersecret123'

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = []
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(fields === undefined ? { level, message } : { level, message, fields })
    }
  const sink: Logger = {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
  }
  return { sink, lines }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createLogger', () => {
  it('passes every level to a logger you provide', () => {
    const { sink, lines } = recordingLogger()
    const logger = createLogger(sink, 'acme')
    logger.error('e')
    logger.warn('w')
    logger.info('i')
    logger.debug('d')
    expect(lines.map((line) => line.level)).toEqual(['error', 'warn', 'info', 'debug'])
  })

  it.each([
    ['off', []],
    ['error', ['error']],
    ['warn', ['error', 'warn']],
    ['info', ['error', 'warn', 'info']],
    ['debug', ['error', 'warn', 'info', 'debug']],
  ] as const)("level '%s' writes %j to the console", (level, expected) => {
    const written: string[] = []
    for (const method of ['error', 'warn', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation(() => written.push(method))
    }
    const logger = createLogger(level, 'acme')
    logger.error('e')
    logger.warn('w')
    logger.info('i')
    logger.debug('d')
    expect(written).toEqual(expected)
  })

  it('defaults to warn and prefixes console lines with the name', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    const logger = createLogger(undefined, 'acme')
    logger.warn('slow response', { ms: 900 })
    logger.info('hidden')
    expect(warn).toHaveBeenCalledWith('[acme] slow response', { ms: 900 })
    expect(info).not.toHaveBeenCalled()
  })

  it('redacts secret-named fields, however deep', () => {
    const { sink, lines } = recordingLogger()
    createLogger(sink, 'acme').info('token refreshed', {
      agentId: 'ag_1',
      accessToken: TOKEN,
      request: { headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'req_1' } },
      credentials: [{ client_secret: TOKEN }],
    })
    expect(lines[0]?.fields).toEqual({
      agentId: 'ag_1',
      accessToken: '[redacted]',
      request: { headers: { authorization: '[redacted]', 'x-request-id': 'req_1' } },
      credentials: '[redacted]',
    })
    expect(JSON.stringify(lines)).not.toContain(TOKEN)
  })

  it('scrubs secrets from the message itself', () => {
    const { sink, lines } = recordingLogger()
    createLogger(sink, 'acme').warn(`sending Authorization: Bearer ${TOKEN}`)
    expect(lines[0]?.message).toBe('sending Authorization: Bearer [redacted]')
  })

  it('logs an error field with its message, scrubbed', () => {
    const { sink, lines } = recordingLogger()
    createLogger(sink, 'acme').error('call failed', { error: new Error(`rejected Bearer ${TOKEN}`) })
    expect(lines[0]?.fields).toMatchObject({
      error: { name: 'Error', message: 'rejected Bearer [redacted]' },
    })
  })

  it('does not touch the fields object it was given', () => {
    const { sink } = recordingLogger()
    const fields = { token: TOKEN }
    createLogger(sink, 'acme').info('x', fields)
    expect(fields.token).toBe(TOKEN)
  })
})

describe('isLogLevel', () => {
  it('accepts the five levels only', () => {
    for (const level of ['off', 'error', 'warn', 'info', 'debug']) expect(isLogLevel(level)).toBe(true)
    for (const value of ['trace', 'WARN', '', undefined, 3]) expect(isLogLevel(value)).toBe(false)
  })
})
