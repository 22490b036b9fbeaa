import { describe, expect, it } from 'vitest'
import { cachePromise } from '../src/promise-cache.js'

describe('cachePromise', () => {
  it('runs the loader once for every caller while it succeeds', async () => {
    let calls = 0
    const load = cachePromise(async () => ++calls)
    expect(await Promise.all([load(), load(), load()])).toEqual([1, 1, 1])
    expect(await load()).toBe(1)
  })

  it('forgets a rejection, so the next call loads again', async () => {
    let calls = 0
    const load = cachePromise(async () => {
      calls++
      if (calls === 1) throw new Error('not yet')
      return 'loaded'
    })
    await expect(load()).rejects.toThrow('not yet')
    expect(await load()).toBe('loaded')
    expect(calls).toBe(2)
  })

  it('turns a loader that throws synchronously into a rejection', async () => {
    const load = cachePromise((): Promise<never> => {
      throw new Error('sync')
    })
    await expect(load()).rejects.toThrow('sync')
  })
})
