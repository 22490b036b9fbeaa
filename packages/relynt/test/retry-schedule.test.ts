import { afterEach, describe, expect, it, vi } from 'vitest'
import { RelyntClient } from '../src/relynt-client.js'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/** A gateway that is down: every attempt answers 503. Calls are counted as the fake clock moves. */
function downGateway(random: number) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  vi.spyOn(Math, 'random').mockReturnValue(random)
  const fetch = vi.fn(async () =>
    Response.json({ error: { code: 'unavailable', message: 'down' } }, { status: 503 }),
  )
  const client = new RelyntClient({
    baseUrl: 'https://gateway.example.com',
    agentSecret: 'agt_1:s',
    fetch,
    logger: 'off',
  })
  const outcome = client.requestAction({ action: 'a', resource: 'r' }).then(
    () => 'resolved',
    (error: unknown) => error,
  )
  return { fetch, outcome }
}

describe('the default retry schedule', () => {
  it('retries 3 times after 1 s, 2 s and 4 s, as the gateway documents, then gives up', async () => {
    const { fetch, outcome } = downGateway(0)
    for (const [waitMs, attempts] of [
      [999, 1],
      [1, 2],
      [1_999, 2],
      [1, 3],
      [3_999, 3],
      [1, 4],
    ] as const) {
      await vi.advanceTimersByTimeAsync(waitMs)
      expect(fetch).toHaveBeenCalledTimes(attempts)
    }
    await expect(outcome).resolves.toMatchObject({ statusCode: 503, code: 'unavailable' })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(fetch).toHaveBeenCalledTimes(4)
  })

  it('jitters each wait upwards by at most a quarter, never sooner than the schedule', async () => {
    const { fetch, outcome } = downGateway(0.999_999)
    for (const [waitMs, attempts] of [
      [1_249, 1],
      [1, 2],
      [2_499, 2],
      [1, 3],
      [4_999, 3],
      [1, 4],
    ] as const) {
      await vi.advanceTimersByTimeAsync(waitMs)
      expect(fetch).toHaveBeenCalledTimes(attempts)
    }
    await expect(outcome).resolves.toMatchObject({ statusCode: 503 })
  })
})
