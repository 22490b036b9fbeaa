import { UserAbortError } from '@x/core'
import { createLogger } from '@x/core/internal'
import { describe, expect, it, vi } from 'vitest'
import { ActionDeniedError, ApprovalTimeoutError, RelyntError } from '../src/errors.js'
import { type PollTiming, pollDelay, pollUntilDecided } from '../src/poll-until-decided.js'
import { realTiming } from '../src/resources/approvals.js'
import type { Approval } from '../src/schemas/approval.js'

const logger = createLogger('off', 'test')

/** A clock that only moves when the poller sleeps, recording every sleep. */
function fakeTiming() {
  let now = 1_000_000
  const sleeps: number[] = []
  const timing: PollTiming = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
  }
  return { timing, sleeps, elapsed: () => now - 1_000_000 }
}

const approval = (status: string): Approval => ({
  approvalId: 'apr_1',
  status,
  decidedBy: null,
  decidedAt: null,
})

/** Answers `pending` until `statuses` runs out of earlier entries. */
function scripted(statuses: string[], retryAfterMs?: number) {
  let call = 0
  return vi.fn(async () => ({
    approval: approval(statuses[Math.min(call++, statuses.length - 1)]!),
    retryAfterMs,
  }))
}

describe('pollUntilDecided', () => {
  it('backs off from 1 s to a 5 s ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(pollDelay)).toEqual([1000, 1500, 2250, 3375, 5000, 5000, 5000])
  })

  it('returns the decided approval as data and reports every poll to onPoll', async () => {
    const { timing, sleeps } = fakeTiming()
    const onPoll = vi.fn()
    const result = await pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 60_000,
      signal: undefined,
      onPoll,
      check: scripted(['pending', 'pending', 'pending', 'denied']),
      timing,
      logger,
    })
    expect(result.status).toBe('denied')
    expect(onPoll.mock.calls.map(([status, attempt]) => [status, attempt])).toEqual([
      ['pending', 1],
      ['pending', 2],
      ['pending', 3],
      ['denied', 4],
    ])
    expect(sleeps).toEqual([1000, 1500, 2250])
  })

  it.each(['approved', 'denied', 'expired'])('stops at the first final status (%s)', async (status) => {
    const { timing, sleeps } = fakeTiming()
    const check = scripted([status])
    const result = await pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 60_000,
      signal: undefined,
      onPoll: undefined,
      check,
      timing,
      logger,
    })
    expect(result.status).toBe(status)
    expect(check).toHaveBeenCalledTimes(1)
    expect(sleeps).toEqual([])
  })

  it("keeps waiting while the status is pending_approval, the decision's own word", async () => {
    const { timing, sleeps } = fakeTiming()
    const check = scripted(['pending_approval', 'pending', 'pending_approval', 'approved'])
    const result = await pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 60_000,
      signal: undefined,
      onPoll: undefined,
      check,
      timing,
      logger,
    })
    expect(result.status).toBe('approved')
    expect(check).toHaveBeenCalledTimes(4)
    expect(sleeps).toEqual([1000, 1500, 2250])
  })

  it('rejects a status it does not know as an invalid response, not as a decision', async () => {
    const { timing, sleeps } = fakeTiming()
    const error = await pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 60_000,
      signal: undefined,
      onPoll: undefined,
      check: scripted(['pending', 'withdrawn']),
      timing,
      logger,
    }).catch((caught: unknown) => caught)
    expect(RelyntError.isInstance(error)).toBe(true)
    expect(error).not.toBeInstanceOf(ActionDeniedError)
    expect(error).toMatchObject({ code: 'invalid_response' })
    expect((error as Error).message).toContain('"withdrawn"')
    expect(sleeps).toEqual([1000])
  })

  it('waits at least as long as Retry-After asks, and never less than its own backoff', async () => {
    const { timing, sleeps } = fakeTiming()
    await pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 60_000,
      signal: undefined,
      onPoll: undefined,
      check: scripted(['pending', 'pending', 'approved'], 3_000),
      timing,
      logger,
    })
    expect(sleeps).toEqual([3000, 3000])

    const short = fakeTiming()
    await pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 60_000,
      signal: undefined,
      onPoll: undefined,
      check: scripted(['pending', 'approved'], 10),
      timing: short.timing,
      logger,
    })
    expect(short.sleeps).toEqual([1000])
  })

  it('throws ApprovalTimeoutError when its budget runs out, after a last poll at the deadline', async () => {
    const { timing, sleeps, elapsed } = fakeTiming()
    const check = scripted(['pending'])
    const error = await pollUntilDecided({
      approvalId: 'apr_9',
      timeoutMs: 4_000,
      signal: undefined,
      onPoll: undefined,
      check,
      timing,
      logger,
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApprovalTimeoutError)
    expect(error).toMatchObject({ approvalId: 'apr_9', waitedMs: 4_000, code: 'approval_timeout' })
    // 1000 + 1500, then only the 1500 left of the budget; the last poll sees the deadline.
    expect(sleeps).toEqual([1000, 1500, 1500])
    expect(check).toHaveBeenCalledTimes(4)
    expect(elapsed()).toBe(4_000)
  })

  it('returns a decision seen on the last poll at the deadline instead of timing out', async () => {
    const { timing } = fakeTiming()
    const result = await pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 1_000,
      signal: undefined,
      onPoll: undefined,
      check: scripted(['pending', 'approved']),
      timing,
      logger,
    })
    expect(result.status).toBe('approved')
  })

  it('does not poll at all when the signal is already aborted', async () => {
    const { timing } = fakeTiming()
    const check = scripted(['pending'])
    const controller = new AbortController()
    controller.abort()
    await expect(
      pollUntilDecided({
        approvalId: 'apr_1',
        timeoutMs: 60_000,
        signal: controller.signal,
        onPoll: undefined,
        check,
        timing,
        logger,
      }),
    ).rejects.toBeInstanceOf(UserAbortError)
    expect(check).not.toHaveBeenCalled()
  })

  it('stops a long backoff sleep as soon as the signal aborts', async () => {
    const controller = new AbortController()
    const check = scripted(['pending'], 50_000)
    const polling = pollUntilDecided({
      approvalId: 'apr_1',
      timeoutMs: 600_000,
      signal: controller.signal,
      // Abort once the poller is about to sleep for 50 s; the test's own timeout would
      // fail it if the sleep were not interrupted.
      onPoll: () => {
        setTimeout(() => controller.abort(), 5)
      },
      check,
      timing: realTiming,
      logger,
    })
    await expect(polling).rejects.toBeInstanceOf(UserAbortError)
    expect(check).toHaveBeenCalledTimes(1)
  })

  it('lets an error thrown by onPoll stop the polling', async () => {
    const { timing } = fakeTiming()
    const failure = new Error('stop')
    await expect(
      pollUntilDecided({
        approvalId: 'apr_1',
        timeoutMs: 60_000,
        signal: undefined,
        onPoll: () => {
          throw failure
        },
        check: scripted(['pending']),
        timing,
        logger,
      }),
    ).rejects.toBe(failure)
  })
})
