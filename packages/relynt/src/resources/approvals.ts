import { UserAbortError } from '@x/core'
import { type Logger, parseRetryAfter, sleep, type Transport } from '@x/core/internal'
import { type PollTiming, pollUntilDecided } from '../poll-until-decided.js'
import { type Approval, approvalSchema } from '../schemas/approval.js'
import type { ApprovalStatus } from '../schemas/wire-values.js'
import { invalid } from './validate-request.js'

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

/** Options every request method takes. */
export interface RequestSignalOptions {
  signal?: AbortSignal
}

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

  constructor(transport: Transport, pathTemplate: string, logger: Logger, timing: PollTiming = realTiming) {
    this.#transport = transport
    this.#pathTemplate = pathTemplate
    this.#logger = logger
    this.#timing = timing
  }

  /** One status check of an approval: `GET /v1/approvals/{approvalId}` (path configurable). */
  async get(approvalId: string, options: RequestSignalOptions = {}): Promise<Approval> {
    return (await this.#check(approvalId, options.signal)).approval
  }

  /**
   * Waits for a person to decide: keeps polling while the status is `pending` or
   * `pending_approval`, returns `approved`, `denied` or `expired` as data, and throws
   * `ApprovalTimeoutError` only when `timeoutMs` runs out while still waiting. A status this
   * client does not know throws a `RelyntError` with code `invalid_response`.
   */
  async poll(options: PollApprovalOptions): Promise<Approval> {
    const approvalId = checkApprovalId(options?.approvalId, 'pollApproval')
    const timeoutMs = options.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw invalid('pollApproval: timeoutMs must be a finite number of milliseconds, 0 or more.')
    }
    return pollUntilDecided({
      approvalId,
      timeoutMs,
      signal: options.signal,
      onPoll: options.onPoll,
      check: () => this.#check(approvalId, options.signal),
      timing: this.#timing,
      logger: this.#logger,
    })
  }

  async #check(
    approvalId: string,
    signal: AbortSignal | undefined,
  ): Promise<{ approval: Approval; retryAfterMs: number | undefined }> {
    const id = checkApprovalId(approvalId, 'approvals.get')
    const { data, response } = await this.#transport.requestWithResponse({
      method: 'GET',
      path: this.#pathTemplate.replaceAll('{approvalId}', encodeURIComponent(id)),
      schema: approvalSchema,
      signal,
    })
    const { approvalId: reportedId, ...rest } = data
    return {
      approval: { approvalId: reportedId ?? id, ...rest },
      retryAfterMs: parseRetryAfter(response.headers),
    }
  }
}

function checkApprovalId(approvalId: unknown, method: string): string {
  if (typeof approvalId !== 'string' || approvalId.trim() === '') {
    throw invalid(`${method} needs an approvalId (from a pending_approval result of requestAction).`)
  }
  return approvalId
}
