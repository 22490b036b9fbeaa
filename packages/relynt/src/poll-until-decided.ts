import { UserAbortError } from '@x/core'
import type { Logger } from '@x/core/internal'
import { ApprovalTimeoutError } from './errors.js'
import { invalidResponse } from './invalid-response.js'
import type { Approval } from './schemas/approval.js'
import type { ApprovalStatus } from './schemas/wire-values.js'

export interface PollTiming {
  now(): number
  /** Resolves after `ms`, rejects as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>
}

export interface PollUntilDecidedOptions {
  approvalId: string
  timeoutMs: number
  signal: AbortSignal | undefined
  onPoll: ((status: ApprovalStatus, attempt: number, approval: Approval) => void | Promise<void>) | undefined
  /** One status check: the approval and the `Retry-After` the response carried, if any. */
  check(): Promise<{ approval: Approval; retryAfterMs: number | undefined }>
  timing: PollTiming
  logger: Logger
}

/** Still waiting for a person: the documented `pending`, and the decision's own word. */
const WAITING = new Set<string>(['pending', 'pending_approval'])
/** A person decided, or nobody did in time: each is an answer, returned as data. */
const FINAL = new Set<string>(['approved', 'denied', 'expired'])

const FIRST_DELAY_MS = 1_000
const MAX_DELAY_MS = 5_000

/** 1 s, 1.5 s, 2.25 s, 3.4 s, then every 5 s: quick for a fast approver, light on a slow one. */
export function pollDelay(attempt: number): number {
  return Math.min(MAX_DELAY_MS, Math.round(FIRST_DELAY_MS * 1.5 ** (attempt - 1)))
}

/**
 * Polls while the approval is waiting (`pending`, `pending_approval`) and returns it once
 * final, whatever the outcome: a denial or an expiry is an answer, not a failure. A status
 * no version knows is an invalid response, never read as a denial (nor as an approval).
 * Running out of *our* budget throws. The budget is checked between polls and the last poll happens at the deadline,
 * so a decision made just before it is not missed; a poll in flight is bounded by the
 * client's per-request timeout.
 */
export async function pollUntilDecided(options: PollUntilDecidedOptions): Promise<Approval> {
  const { approvalId, signal, timing } = options
  const started = timing.now()
  const deadline = started + options.timeoutMs
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal)
    const { approval, retryAfterMs } = await options.check()
    await options.onPoll?.(approval.status, attempt, approval)
    if (FINAL.has(approval.status)) return approval
    if (!WAITING.has(approval.status)) {
      throw invalidResponse(
        `Approval ${approvalId} has status ${JSON.stringify(approval.status.slice(0, 64))}, which this client does not know ` +
          '(expected pending, approved, denied or expired). Nothing was executed on its account; ' +
          'check the gateway version, or upgrade @x/relynt.',
        ['status'],
      )
    }

    const remaining = deadline - timing.now()
    if (remaining <= 0) throw new ApprovalTimeoutError(approvalId, timing.now() - started)
    // Never sooner than the server asked, nor sooner than our own backoff.
    const delay = Math.min(remaining, Math.max(pollDelay(attempt), retryAfterMs ?? 0))
    options.logger.debug(`approval ${approvalId} still pending; next check in ${delay} ms`, { attempt })
    try {
      await timing.sleep(delay, signal)
    } catch (error) {
      throwIfAborted(signal)
      throw error
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UserAbortError({ cause: signal.reason })
}
