import { definedOnly } from './defined-only.js'
import { ActionDeniedError } from './errors.js'
import type { ActionRequest } from './resources/actions.js'
import type { PollApprovalOptions } from './resources/approvals.js'
import { invalid } from './resources/validate-request.js'
import type { ActionResult } from './schemas/action-result.js'
import type { Approval } from './schemas/approval.js'
import type { RiskLevel } from './schemas/wire-values.js'

/** What `guard()` asks the gateway before running the guarded function. */
export interface GuardRequest extends Omit<ActionRequest, 'signal'> {
  /** How long to wait for a person when approval is required. Default 300 000 (5 min). */
  timeoutMs?: number
  /** Aborts the gateway call or the wait for approval (not the guarded function). */
  signal?: AbortSignal
  /** Called on each check while a person has not decided yet, with the status and the attempt number. */
  onPoll?: PollApprovalOptions['onPoll']
}

/** Proof that the action was authorised, handed to the guarded function and returned with its value. */
export interface Authorization {
  decision: 'allow'
  /** The receipt of the allow: after an approval, the approval's final receipt. */
  receiptId: string
  /** Set when a person approved the action. */
  approvalId?: string
  /** What the gateway's connector returned, when one ran. */
  toolResponse?: unknown
  reason?: string
  riskLevel?: RiskLevel
  policyVersion?: string
  /** The key of the gateway call, to retry it later without a second execution. */
  idempotencyKey: string
  /** The `instance_id` of the gateway call; a later retry with the same key must send it too. */
  instanceId: string
  /** The decided approval (who, when), when one was needed. */
  approval?: Approval
}

/** What `guard()` returns: the guarded function's value and the authorisation it ran under. */
export interface GuardResult<T> {
  value: T
  authorization: Authorization
}

interface GuardClient {
  requestAction(request: ActionRequest): Promise<ActionResult>
  pollApproval(options: PollApprovalOptions): Promise<Approval>
}

/**
 * Runs `run` only if the gateway allows the action, waiting for a person when it asks for
 * approval. Anything else (deny, a denied or expired approval, a decision this client
 * does not know) throws ActionDeniedError and `run` is never called: fail closed.
 */
export async function guard<T>(
  client: GuardClient,
  request: GuardRequest,
  run: (authorization: Authorization) => Promise<T> | T,
): Promise<GuardResult<T>> {
  // Checked first: finding out after the gateway said yes would leave an allow receipt for nothing.
  if (typeof run !== 'function') throw invalid('guard needs a function to run once the action is authorised.')
  const { timeoutMs, onPoll, ...actionRequest } = request
  const result = await client.requestAction(actionRequest)
  const authorization = await authorize(client, result, { timeoutMs, onPoll, signal: request.signal })
  return { value: await run(authorization), authorization }
}

async function authorize(
  client: GuardClient,
  result: ActionResult,
  wait: Omit<PollApprovalOptions, 'approvalId'>,
): Promise<Authorization> {
  const base = {
    reason: result.reason,
    riskLevel: result.riskLevel,
    policyVersion: result.policyVersion,
    idempotencyKey: result.idempotencyKey,
    instanceId: result.instanceId,
  }
  if (result.decision === 'allow') {
    return definedOnly({
      decision: 'allow',
      receiptId: result.receiptId,
      toolResponse: result.toolResponse,
      ...base,
    })
  }
  if (result.decision === 'pending_approval' && result.approvalId !== undefined) {
    const approval = await client.pollApproval({ approvalId: result.approvalId, ...wait })
    if (approval.status === 'approved') {
      return definedOnly({
        decision: 'allow',
        receiptId: approval.receiptId ?? result.receiptId,
        approvalId: result.approvalId,
        toolResponse: approval.toolResponse,
        ...base,
        approval,
      })
    }
    throw new ActionDeniedError({
      decision: approval.status,
      reason: result.reason,
      receiptId: approval.receiptId ?? result.receiptId,
      approvalId: result.approvalId,
      idempotencyKey: result.idempotencyKey,
      decidedBy: approval.decidedBy,
    })
  }
  throw new ActionDeniedError({
    decision: result.decision,
    reason: result.reason,
    receiptId: result.receiptId,
    approvalId: result.approvalId,
    idempotencyKey: result.idempotencyKey,
  })
}
