import { definedOnly } from './defined-only.js'
import type { ActionResult } from './schemas/action-result.js'
import type { Approval } from './schemas/approval.js'

/** The action may run: the policy allowed it, or a person approved it. */
export interface AllowedVerdict {
  kind: 'allowed'
  /** The receipt of the allow: after an approval, the approval's final receipt. */
  receiptId: string
  approvalId?: string
  /** Who approved, when a person did. */
  approvedBy?: string
  /** What the gateway's connector returned, when one ran. */
  toolResponse?: unknown
}

/**
 * The action may not run, and nothing was done: the policy denied it (`policy`), a person did
 * (`person`), the approval expired (`expired`), or the gateway answered something this version
 * does not know (`unknown`; fail closed).
 */
export interface DeniedVerdict {
  kind: 'denied'
  by: 'policy' | 'person' | 'expired' | 'unknown'
  /** The gateway's decision (`deny`, …) or the approval's final status (`denied`, `expired`, …). */
  decision: string
  /** What was decided and what to do next, in one sentence for a person or a model. */
  message: string
  /** The gateway's reason: why the policy denied it, or why it asked a person. */
  reason?: string
  receiptId: string
  approvalId?: string
  /** Who denied it, when a person did. */
  decidedBy?: string
  /** What that person wrote, when they did. */
  decisionReason?: string
}

/** A person has to decide first; nothing was done yet. */
export interface PendingVerdict {
  kind: 'pending'
  approvalId: string
  receiptId: string
  /** Why the policy asked a person. */
  reason?: string
}

/**
 * A person approved, but the gateway's connector then failed: the action did not complete.
 * Fail closed: nothing else may run as if it had been authorised.
 */
export interface FailedVerdict {
  kind: 'failed'
  /** What the gateway reported, e.g. `{ code: 'connector_error', message: 'CRM is down' }`. */
  error: { code: string; message: string }
  message: string
  /** The final receipt, which records the `error`. */
  receiptId: string
  approvalId: string
  approvedBy?: string
}

/** What a gateway answer means, once: see {@link interpretDecision}. */
export type ActionVerdict = AllowedVerdict | DeniedVerdict | PendingVerdict | FailedVerdict

/** The gateway's answer to a request, the approval it led to, or both. */
export type DecisionInput =
  | { result: ActionResult; approval?: Approval }
  | { result?: ActionResult; approval: Approval }

/**
 * The one reading of a gateway answer that `guard()`, the agent tools and the CLI share:
 *
 * * `allow` → `allowed`; `pending_approval` with no decided approval → `pending`.
 * * An `approved` approval → `allowed`, unless it carries `error` (the gateway's connector
 *   failed after the approval) → `failed`.
 * * `deny`, a `denied` or `expired` approval → `denied`, with the gateway's reason.
 * * Any decision or approval status this version does not know → `denied`: fail closed.
 *
 * Pure: it asks nothing of the gateway.
 */
export function interpretDecision(input: DecisionInput): ActionVerdict {
  const { result, approval } = input
  if (approval !== undefined && (result === undefined || result.decision === 'pending_approval')) {
    return interpretApproval(approval, result)
  }
  const decided = result!
  switch (decided.decision) {
    case 'allow':
      return definedOnly({
        kind: 'allowed',
        receiptId: decided.receiptId,
        toolResponse: decided.toolResponse,
      })
    case 'pending_approval':
      // Without an approval id the wait could never end in an approval: not a yes.
      if (decided.approvalId === undefined) return denied(decided.decision, decided, undefined)
      return definedOnly({
        kind: 'pending',
        approvalId: decided.approvalId,
        receiptId: decided.receiptId,
        reason: decided.reason,
      })
    default:
      return denied(decided.decision, decided, undefined)
  }
}

function interpretApproval(approval: Approval, result: ActionResult | undefined): ActionVerdict {
  const receiptId = approval.receiptId ?? result?.receiptId ?? ''
  const approvedBy = approval.decidedBy ?? undefined
  switch (approval.status) {
    case 'pending':
    case 'pending_approval':
      return definedOnly({
        kind: 'pending',
        approvalId: approval.approvalId,
        receiptId,
        reason: result?.reason,
      })
    case 'approved':
      if (approval.error !== undefined) {
        return definedOnly({
          kind: 'failed',
          error: approval.error,
          message:
            `Approval ${approval.approvalId} was approved${approvedBy ? ` by ${approvedBy}` : ''}, but the ` +
            `gateway's connector then failed (${approval.error.code}: ${approval.error.message}); the action did ` +
            `not complete${receiptRef(receiptId)}.`,
          receiptId,
          approvalId: approval.approvalId,
          approvedBy,
        })
      }
      return definedOnly({
        kind: 'allowed',
        receiptId,
        approvalId: approval.approvalId,
        approvedBy,
        toolResponse: approval.toolResponse,
      })
    default:
      return denied(approval.status, { receiptId, reason: result?.reason }, approval)
  }
}

/**
 * Who a refusal came from: `deny` is the policy, a `denied` approval a person, an `expired`
 * one nobody; anything else is a decision this version does not know.
 */
export function denialCause(decision: string): DeniedVerdict['by'] {
  if (decision === 'deny') return 'policy'
  if (decision === 'denied') return 'person'
  if (decision === 'expired') return 'expired'
  return 'unknown'
}

function denied(
  decision: string,
  answer: { receiptId: string; reason?: string },
  approval: Approval | undefined,
): DeniedVerdict {
  const verdict: DeniedVerdict = definedOnly({
    kind: 'denied',
    by: denialCause(decision),
    decision,
    message: '',
    reason: answer.reason,
    receiptId: answer.receiptId,
    approvalId: approval?.approvalId,
    decidedBy: approval?.decidedBy ?? undefined,
    decisionReason: approval?.decisionReason,
  })
  verdict.message = denialMessage(verdict)
  return verdict
}

/** The one wording of a denial: who decided, that nothing was done, and what to do next. */
export function denialMessage(
  verdict: Pick<
    DeniedVerdict,
    'by' | 'decision' | 'reason' | 'receiptId' | 'approvalId' | 'decidedBy' | 'decisionReason'
  >,
): string {
  const receipt = receiptRef(verdict.receiptId)
  switch (verdict.by) {
    case 'policy':
      return (
        `The policy denied this action${verdict.reason ? `: ${verdict.reason}` : ''}. Nothing was done; ` +
        `the same request will be denied again, so do not retry it${receipt}.`
      )
    case 'person':
      return (
        `Approval ${verdict.approvalId} was denied by ${verdict.decidedBy ?? 'the approver'}` +
        `${verdict.decisionReason ? `, who wrote: "${verdict.decisionReason}"` : ''}` +
        `${verdict.reason ? ` (approval was required: ${verdict.reason})` : ''}. Nothing was done${receipt}.`
      )
    case 'expired':
      return (
        `Approval ${verdict.approvalId} expired before anyone decided. Nothing was done; request the action ` +
        `again to ask anew${receipt}.`
      )
    default:
      return (
        `The gateway answered "${verdict.decision}"${verdict.reason ? ` (${verdict.reason})` : ''}, which ` +
        `this version does not know, so it counts as a denial. Nothing was done${receipt}.`
      )
  }
}

function receiptRef(receiptId: string): string {
  return receiptId ? ` (receipt ${receiptId})` : ''
}
