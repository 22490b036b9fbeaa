import { APIPromise, type RequestCallOptions, UserAbortError } from '@x/core'
import {
  callOptions,
  type Logger,
  noTelemetry,
  parseRetryAfter,
  sleep,
  type Telemetry,
  type Transport,
} from '@x/core/internal'
import { type PollTiming, pollUntilDecided } from '../poll-until-decided.js'
import { type Approval, approvalSchema } from '../schemas/approval.js'
import type { ApprovalStatus } from '../schemas/wire-values.js'
import { idSegment, invalid } from './validate-request.js'

/** Options of `pollApproval()`: which approval, how long to wait, what to call on each check. */
export interface PollApprovalOptions {
  /** From a `pending_approval` result of `requestAction`. */
  approvalId: string
  /** How long to wait for a person to decide before throwing `ApprovalTimeoutError`. Default 300 000 (5 min). */
  timeoutMs?: number
  signal?: AbortSignal
  /** Called after every status check, `attempt` counting from 1. Throwing stops the polling. */
  onPoll?: (status: ApprovalStatus, attempt: number, approval: Approval) => void | Promise<void>
}

/** Options every request method takes: `{ signal, timeoutMs, maxRetries, headers }`, for that call. */
export type RequestSignalOptions = RequestCallOptions

const DEFAULT_APPROVAL_TIMEOUT_MS = 300_000

export const realTiming: PollTiming = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    sleep(ms, signal).catch((reason: unknown) => {
      throw signal?.aborted ? new UserAbortError({ cause: signal.reason }) : reason
    }),
}

/** `client.approvals`: approvals the gateway asked a person for. */
export class Approvals {
  readonly #transport: Transport
  readonly #pathTemplate: string
  readonly #logger: Logger
  readonly #timing: PollTiming
  readonly #telemetry: Telemetry

  constructor(
    transport: Transport,
    pathTemplate: string,
    logger: Logger,
    timing: PollTiming = realTiming,
    telemetry: Telemetry = noTelemetry,
  ) {
    this.#transport = transport
    this.#pathTemplate = pathTemplate
    this.#logger = logger
    this.#timing = timing
    this.#telemetry = telemetry
  }

  /**
   * One status check of an approval: `GET /v1/approvals/{approvalId}` (path configurable).
   * `.withResponse()` adds the raw response and request id.
   */
  get(approvalId: string, options: RequestSignalOptions = {}): APIPromise<Approval> {
    return new APIPromise(
      this.#check(approvalId, options).then(({ approval, response }) => ({
        data: approval,
        response,
      })),
    )
  }

  /**
   * Waits for a person to decide: keeps polling while the status is `pending` or
   * `pending_approval`, returns `approved`, `denied` or `expired` as data, and throws
   * `ApprovalTimeoutError` only when `timeoutMs` runs out while still waiting. A status this
   * client does not know throws a `RelyntError` with code `invalid_response`.
   */
  async poll(options: PollApprovalOptions | string): Promise<Approval> {
    if (typeof options === 'string') options = { approvalId: options }
    const approvalId = checkApprovalId(options?.approvalId, 'pollApproval')
    const timeoutMs = options.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw invalid(
        'pollApproval: timeoutMs must be a finite number of milliseconds, 0 or more.',
        'timeoutMs',
      )
    }
    const attributes = { 'relynt.approval_id': approvalId, 'relynt.approval.timeout_ms': timeoutMs }
    return this.#telemetry.span('relynt.approval.wait', attributes, async (span) => {
      const started = this.#timing.now()
      let polls = 0
      let lastStatus: string | undefined
      let lastStatusAt: number | undefined
      const waited = (at = this.#timing.now()) => ({
        'relynt.approval.poll_count': polls,
        'relynt.approval.wait_ms': at - started,
      })
      try {
        const approval = await pollUntilDecided({
          approvalId,
          timeoutMs,
          signal: options.signal,
          onPoll: async (status, attempt, approval) => {
            polls = attempt
            // One event per change of status, not per poll: a long wait stays a short story.
            if (status !== lastStatus) {
              lastStatus = status
              lastStatusAt = this.#timing.now()
              span.event('relynt.approval.status', {
                'relynt.approval.status': status.slice(0, 64),
                'relynt.approval.decided_by': approval.decidedBy ?? undefined,
                ...waited(lastStatusAt),
              })
            }
            await options.onPoll?.(status, attempt, approval)
          },
          check: () => this.#check(approvalId, { signal: options.signal }),
          timing: this.#timing,
          logger: this.#logger,
        })
        span.set({
          'relynt.approval.status': approval.status.slice(0, 64),
          'relynt.approval.decided_by': approval.decidedBy ?? undefined,
          'relynt.receipt_id': approval.receiptId,
          // The wait ended when the decision was seen: the same figure as that event's.
          ...waited(approval.status === lastStatus ? lastStatusAt : undefined),
        })
        return approval
      } catch (error) {
        span.set(waited())
        throw error
      }
    })
  }

  async #check(
    approvalId: string,
    options: RequestCallOptions,
  ): Promise<{ approval: Approval; retryAfterMs: number | undefined; response: Response }> {
    const id = checkApprovalId(approvalId, 'approvals.get')
    const { data, response } = await this.#transport.requestWithResponse({
      method: 'GET',
      path: this.#pathTemplate.replaceAll('{approvalId}', encodeURIComponent(id)),
      schema: approvalSchema,
      ...callOptions(options),
    })
    const { approvalId: reportedId, ...rest } = data
    return {
      approval: { approvalId: reportedId ?? id, ...rest },
      retryAfterMs: parseRetryAfter(response.headers),
      response,
    }
  }
}

function checkApprovalId(approvalId: unknown, method: string): string {
  // Checked for the path now, so pollApproval refuses `..` before its first request too.
  idSegment(
    approvalId,
    'approvalId',
    method,
    'an approvalId (from a pending_approval result of requestAction)',
  )
  return approvalId as string
}
