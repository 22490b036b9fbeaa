import { afterEach, describe, expect, it, vi } from 'vitest'
import { createIdempotencyKey, readEnv } from '../src/internal/index.js'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.unstubAllGlobals()
})

describe('readEnv', () => {
  it('returns a set variable', () => {
    vi.stubEnv('X_CORE_TEST_VALUE', 'https://api.example.test')
    expect(readEnv('X_CORE_TEST_VALUE')).toBe('https://api.example.test')
  })

  it('treats an empty variable as unset', () => {
    vi.stubEnv('X_CORE_TEST_VALUE', '')
    expect(readEnv('X_CORE_TEST_VALUE')).toBeUndefined()
  })

  it('treats a blank variable as unset', () => {
    vi.stubEnv('X_CORE_TEST_VALUE', '  \t ')
    expect(readEnv('X_CORE_TEST_VALUE')).toBeUndefined()
  })

  it('returns undefined for a missing variable', () => {
    expect(readEnv('X_CORE_TEST_SURELY_MISSING')).toBeUndefined()
  })

  it('works without process, reading Deno.env', () => {
    vi.stubGlobal('process', undefined)
    vi.stubGlobal('Deno', {
      env: { get: (name: string) => (name === 'X_CORE_TEST_DENO' ? 'from-deno' : undefined) },
    })
    expect(readEnv('X_CORE_TEST_DENO')).toBe('from-deno')
  })

  it('returns undefined when Deno denies env access', () => {
    vi.stubGlobal('process', undefined)
    vi.stubGlobal('Deno', {
      env: {
        get: () => {
          throw new Error('PermissionDenied')
        },
      },
    })
    expect(readEnv('X_CORE_TEST_DENO')).toBeUndefined()
  })

  it('returns undefined where there is no environment at all', () => {
    vi.stubGlobal('process', undefined)
    expect(readEnv('X_CORE_TEST_VALUE')).toBeUndefined()
  })
})

describe('createIdempotencyKey', () => {
  const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

  it('is a UUID v4', () => {
    expect(createIdempotencyKey()).toMatch(uuidV4)
  })

  it('keeps a prefix', () => {
    const key = createIdempotencyKey('pay_')
    expect(key.startsWith('pay_')).toBe(true)
    expect(key.slice(4)).toMatch(uuidV4)
  })

  it('is new every time', () => {
    const keys = new Set(Array.from({ length: 100 }, () => createIdempotencyKey()))
    expect(keys.size).toBe(100)
  })
})
