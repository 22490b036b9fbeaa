import { definedOnly } from './defined-only.js'
import { ActionDeniedError, ConnectorFailedError } from './errors.js'
import { type ActionVerdict, interpretDecision } from './interpret-decision.js'
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
 * approval. A deny, a denied or expired approval, or a decision this client does not know
 * throws ActionDeniedError; an approval whose gateway connector then failed throws
 * ConnectorFailedError. Either way `run` is never called: fail closed.
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
  let verdict = interpretDecision({ result })
  let approval: Approval | undefined
  if (verdict.kind === 'pending') {
    approval = await client.pollApproval({
      approvalId: verdict.approvalId,
      timeoutMs,
      onPoll,
      signal: request.signal,
    })
    verdict = interpretDecision({ result, approval })
  }
  const authorization = authorizationOf(verdict, result, approval)
  return { value: await run(authorization), authorization }
}

/** The verdict as guard() reports it: an authorisation, or the typed error of a refusal. */
function authorizationOf(
  verdict: ActionVerdict,
  result: ActionResult,
  approval: Approval | undefined,
): Authorization {
  switch (verdict.kind) {
    case 'allowed':
      return definedOnly({
        decision: 'allow',
        receiptId: verdict.receiptId,
        approvalId: verdict.approvalId,
        toolResponse: verdict.toolResponse,
        reason: result.reason,
        riskLevel: result.riskLevel,
        policyVersion: result.policyVersion,
        idempotencyKey: result.idempotencyKey,
        instanceId: result.instanceId,
        approval,
      })
    case 'failed':
      throw new ConnectorFailedError({ ...verdict, idempotencyKey: result.idempotencyKey })
    case 'denied':
      throw new ActionDeniedError({
        decision: verdict.decision,
        reason: verdict.reason,
        receiptId: verdict.receiptId,
        approvalId: verdict.approvalId,
        idempotencyKey: result.idempotencyKey,
        decidedBy: verdict.decidedBy,
        decisionReason: verdict.decisionReason,
      })
    case 'pending':
      // pollApproval returns only decided approvals; a pending one here is not a yes.
      throw new ActionDeniedError({
        decision: 'pending',
        reason: verdict.reason,
        receiptId: verdict.receiptId,
        approvalId: verdict.approvalId,
        idempotencyKey: result.idempotencyKey,
      })
  }
}
