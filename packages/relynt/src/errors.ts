import { SdkError } from '@x/core'
import {
  apiErrorBase,
  connectionErrorBase,
  describeErrorBody,
  type ErrorMap,
  invalidResponseErrorBase,
  timeoutErrorBase,
} from '@x/core/internal'
import { denialCause, denialMessage } from './interpret-decision.js'

/**
 * Base of every error `@x/relynt` throws (except core's `UserAbortError` when your own
 * signal aborts). `RelyntError.isInstance(error)` works across two installed copies.
 */
export class RelyntError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.RelyntError')
}

/** Shared by the two HTTP-status errors: `statusCode`, `code`, `body`, `requestId`, `headers`, `retryAfterMs`. */
const RelyntApiError = apiErrorBase(RelyntError)

/** 401 or 403: the agent credential is wrong, revoked (rotated) or not allowed for the organisation. */
export class AuthenticationError extends RelyntApiError {
  static override readonly brand: symbol = Symbol.for('x.error.relynt.AuthenticationError')
}

/**
 * Any other HTTP error, after retries: `statusCode`, the gateway's `code` (`bad_request`,
 * `not_found`, `conflict`, `policy_error`, `rate_limited`, `unavailable`…) and its message.
 */
export class RequestError extends RelyntApiError {
  static override readonly brand: symbol = Symbol.for('x.error.relynt.RequestError')
}

/** The gateway could not be reached, the connection broke, or an attempt timed out (`code` 'timeout'). */
export class NetworkError extends connectionErrorBase(RelyntError, 'network_error') {
  static override readonly brand: symbol = Symbol.for('x.error.relynt.NetworkError')
}

/**
 * An attempt, or a stream waiting for its next event, took longer than `timeoutMs`. A
 * `NetworkError` too (code 'timeout'), so code catching network failures still catches it.
 */
export class RelyntTimeoutError extends timeoutErrorBase(NetworkError) {
  static override readonly brand: symbol = Symbol.for('x.error.RelyntTimeoutError')
}

/** A successful response whose body does not have the documented shape (code 'invalid_response'). */
export class RelyntResponseValidationError extends invalidResponseErrorBase(RelyntError) {
  static override readonly brand: symbol = Symbol.for('x.error.RelyntResponseValidationError')
}

/** `pollApproval` spent its whole `timeoutMs` budget and the approval is still pending. */
export class ApprovalTimeoutError extends RelyntError {
  static override readonly brand: symbol = Symbol.for('x.error.relynt.ApprovalTimeoutError')
  readonly approvalId: string
  readonly waitedMs: number

  constructor(approvalId: string, waitedMs: number) {
    super(
      `Approval ${approvalId} was still pending after ${Math.round(waitedMs / 1000)} s. ` +
        'Nothing was executed; poll it again later with pollApproval, or raise timeoutMs.',
      { code: 'approval_timeout' },
    )
    this.approvalId = approvalId
    this.waitedMs = waitedMs
  }

  /** The error as JSON for logs, with the approval id and how long the wait lasted. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), approvalId: this.approvalId, waitedMs: this.waitedMs }
  }
}

/** What an `ActionDeniedError` is made from. */
export interface ActionDeniedInit {
  /** `deny` from the gateway, or the approval's final status (`denied`, `expired`, …). */
  decision: string
  reason: string | undefined
  receiptId: string
  approvalId: string | undefined
  idempotencyKey: string
  /** Who denied the approval, e.g. `slack:U12345`. */
  decidedBy?: string | null
  /** What the person who denied it wrote, when they did. */
  decisionReason?: string
}

/** Thrown by `guard()` when the action may not run; the guarded function was not called. */
export class ActionDeniedError extends RelyntError {
  static override readonly brand: symbol = Symbol.for('x.error.relynt.ActionDeniedError')
  readonly decision: string
  readonly reason: string | undefined
  readonly receiptId: string
  readonly approvalId: string | undefined
  readonly idempotencyKey: string
  readonly decidedBy: string | null

  constructor(init: ActionDeniedInit) {
    super(
      denialMessage({
        ...init,
        by: denialCause(init.decision),
        approvalId: init.approvalId,
        decidedBy: init.decidedBy ?? undefined,
        decisionReason: init.decisionReason,
      }),
      { code: 'action_denied' },
    )
    this.decision = init.decision
    this.reason = init.reason
    this.receiptId = init.receiptId
    this.approvalId = init.approvalId
    this.idempotencyKey = init.idempotencyKey
    this.decidedBy = init.decidedBy ?? null
  }

  /** The error as JSON for logs, with the decision, reason and receipt id. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      decision: this.decision,
      reason: this.reason,
      receiptId: this.receiptId,
      approvalId: this.approvalId,
      decidedBy: this.decidedBy,
    }
  }
}

/** What a `ConnectorFailedError` is made from. */
export interface ConnectorFailedInit {
  /** What the gateway reported, e.g. `{ code: 'connector_error', message: 'CRM is down' }`. */
  error: { code: string; message: string }
  message: string
  /** The final receipt, which records the error. */
  receiptId: string
  approvalId: string
  approvedBy?: string
  idempotencyKey: string
}

/**
 * Thrown by `guard()` when a person approved the action but the gateway's connector then
 * failed: the action did not complete, so the guarded function was not called (fail closed).
 * `gatewayError` is what the gateway reported.
 */
export class ConnectorFailedError extends RelyntError {
  static override readonly brand: symbol = Symbol.for('x.error.relynt.ConnectorFailedError')
  readonly gatewayError: { code: string; message: string }
  readonly receiptId: string
  readonly approvalId: string
  readonly approvedBy: string | undefined
  readonly idempotencyKey: string

  constructor(init: ConnectorFailedInit) {
    super(init.message, { code: 'connector_failed' })
    this.gatewayError = init.error
    this.receiptId = init.receiptId
    this.approvalId = init.approvalId
    this.approvedBy = init.approvedBy
    this.idempotencyKey = init.idempotencyKey
  }

  /** The error as JSON for logs, with the gateway's error, the approval and the receipt. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      gatewayError: this.gatewayError,
      receiptId: this.receiptId,
      approvalId: this.approvalId,
      approvedBy: this.approvedBy,
    }
  }
}

const CONFLICT_MESSAGE =
  'The idempotency key was already used with different parameters (action, resource or payload). ' +
  'Resend the original request unchanged to get its result, or use a new key for a different request.'

/** The wire's error body is `{error: {code, message}}`, but older gateways send `{code, message}` or `{error: "…"}`. */
function describeRelyntError(body: unknown, statusCode: number): { code?: string; message?: string } {
  const described = describeErrorBody(body)
  if (statusCode === 409) {
    return {
      code: 'conflict',
      message: described.message
        ? `${CONFLICT_MESSAGE} Gateway said: ${described.message}`
        : CONFLICT_MESSAGE,
    }
  }
  return described
}

/** The table core's transport uses to turn each failure into a Relynt error. */
export const relyntErrors: ErrorMap = {
  api: { 401: AuthenticationError, 403: AuthenticationError, default: RequestError },
  connection: NetworkError,
  timeout: RelyntTimeoutError,
  invalidResponse: RelyntResponseValidationError,
  describe: describeRelyntError,
  // A request option caught before sending (a header value with a line break).
  config: RelyntError,
}

const bareSecretHint =
  'The agent secret was sent without an agent id; the gateway expects the credential as the dashboard shows it, ' +
  '<agent_id>:<secret>. Pass that whole string as agentSecret (RELYNT_AGENT_SECRET), or pass agentId (RELYNT_AGENT_ID) too.'

/** {@link relyntErrors} for a client whose credential names no agent: a 401 says what form is expected. */
export const bareSecretErrors: ErrorMap = {
  ...relyntErrors,
  describe(body, statusCode) {
    const described = describeRelyntError(body, statusCode)
    if (statusCode !== 401) return described
    const said = described.message?.replace(/[.\s]+$/, '')
    return { ...described, message: said ? `${said}. ${bareSecretHint}` : bareSecretHint }
  },
}
