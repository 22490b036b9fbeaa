import type { ActionVerdict, DeniedVerdict, FailedVerdict, PendingVerdict } from '@x/relynt'
import type { DeniedOutcome, FailedOutcome, PendingApprovalOutcome } from './agent-tool.js'

/** The name of the companion tool that finishes a call left `pending_approval`. */
export const CHECK_APPROVAL_TOOL_NAME = 'relynt_check_approval'

/** The outcome of a verdict under which the tool's work does not run. */
export type RefusedOutcome = DeniedOutcome | PendingApprovalOutcome | FailedOutcome

/** Who is told a call is still pending: its first answer, the answer after a wait, or the check tool's. */
export type PendingAsk = 'first' | 'waited' | 'checked'

/** How long the model is told to wait before checking a pending call again. */
const CHECK_AGAIN_AFTER_SECONDS = 30

/**
 * What the model reads for a verdict that does not let the work run: the gateway's own
 * interpretation (`interpretDecision`), mapped field by field, with Relynt's wording.
 */
export function refusedOutcome(
  verdict: Exclude<ActionVerdict, { kind: 'allowed' }>,
  toolName: string,
  asked: PendingAsk = 'first',
): RefusedOutcome {
  switch (verdict.kind) {
    case 'denied':
      return deniedOutcome(verdict)
    case 'pending':
      return pendingOutcome(verdict, toolName, asked)
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

function pendingOutcome(
  verdict: PendingVerdict,
  toolName: string,
  asked: PendingAsk,
): PendingApprovalOutcome {
  const { approvalId } = verdict
  const check = `${CHECK_APPROVAL_TOOL_NAME} with { "approvalId": "${approvalId}" }`
  const message =
    asked === 'checked'
      ? `Still pending: no one has decided on approval ${approvalId} yet, and nothing has been done. ` +
        `Call ${check} again in about ${CHECK_AGAIN_AFTER_SECONDS} seconds (people can take minutes or hours).`
      : `${asked === 'waited' ? 'Still waiting: no one has decided yet. ' : ''}A person must approve this first ` +
        `(approval ${approvalId}); nothing has been done. Call ${check} in about ${CHECK_AGAIN_AFTER_SECONDS} ` +
        `seconds to finish it. Do not call ${toolName} again for the same request: that would ask a person twice.`
  const outcome: PendingApprovalOutcome = {
    status: 'pending_approval',
    approvalId,
    receiptId: verdict.receiptId,
    checkAgainAfterSeconds: CHECK_AGAIN_AFTER_SECONDS,
    message,
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
