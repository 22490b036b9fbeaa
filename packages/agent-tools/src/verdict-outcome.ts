import type { ActionVerdict, DeniedVerdict, FailedVerdict, PendingVerdict } from '@x/relynt'
import type { DeniedOutcome, FailedOutcome, PendingApprovalOutcome } from './agent-tool.js'

/** The name of the companion tool that finishes a call left `pending_approval`. */
export const CHECK_APPROVAL_TOOL_NAME = 'relynt_check_approval'

/** The outcome of a verdict under which the tool's work does not run. */
export type RefusedOutcome = DeniedOutcome | PendingApprovalOutcome | FailedOutcome

/**
 * What the model reads for a verdict that does not let the work run: the gateway's own
 * interpretation (`interpretDecision`), mapped field by field, with Relynt's wording.
 */
export function refusedOutcome(
  verdict: Exclude<ActionVerdict, { kind: 'allowed' }>,
  waited = false,
): RefusedOutcome {
  switch (verdict.kind) {
    case 'denied':
      return deniedOutcome(verdict)
    case 'pending':
      return pendingOutcome(verdict, waited)
    case 'failed':
      return connectorFailedOutcome(verdict)
  }
}

function deniedOutcome(verdict: DeniedVerdict): DeniedOutcome {
  const outcome: DeniedOutcome = {
    status: 'denied',
    deniedBy: verdict.by,
    reason: verdict.message,
    receiptId: verdict.receiptId,
  }
  if (verdict.approvalId) outcome.approvalId = verdict.approvalId
  if (verdict.decidedBy) outcome.decidedBy = verdict.decidedBy
  if (verdict.decisionReason) outcome.decisionReason = verdict.decisionReason
  return outcome
}

function pendingOutcome(verdict: PendingVerdict, waited: boolean): PendingApprovalOutcome {
  const { approvalId } = verdict
  const outcome: PendingApprovalOutcome = {
    status: 'pending_approval',
    approvalId,
    receiptId: verdict.receiptId,
    message:
      `${waited ? 'Still waiting: no one has decided yet. ' : ''}A person must approve this first ` +
      `(approval ${approvalId}); nothing has been done. Call ${CHECK_APPROVAL_TOOL_NAME} with ` +
      `{ "approvalId": "${approvalId}" } later to finish it. Do not call this tool again for the same request.`,
  }
  if (verdict.reason !== undefined) outcome.reason = verdict.reason
  return outcome
}

/** Approved, but the gateway's connector failed: the work does not run (fail closed). */
function connectorFailedOutcome(verdict: FailedVerdict): FailedOutcome {
  const outcome: FailedOutcome = {
    status: 'failed',
    error: { code: verdict.error.code, message: verdict.message },
    receiptId: verdict.receiptId,
    approvalId: verdict.approvalId,
  }
  if (verdict.approvedBy) outcome.approvedBy = verdict.approvedBy
  return outcome
}
