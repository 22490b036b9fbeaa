import * as z from 'zod/mini'
import { definedOnly } from '../defined-only.js'
import { type Decision, idSchema, optionalText, type RiskLevel } from './wire-values.js'

/** The gateway's answer to `POST /v1/agent-tool-call`. */
export interface ActionResult {
  decision: Decision
  receiptId: string
  /** Present when the decision is `pending_approval`: pass it to `pollApproval`. */
  approvalId?: string
  /** What the connector returned, when the action was allowed and a connector ran. */
  toolResponse?: unknown
  reason?: string
  riskLevel?: RiskLevel
  policyVersion?: string
  /** The key this call was sent with; reuse it to retry the same logical call later. */
  idempotencyKey: string
  /** The `instance_id` this call was sent with; a retry with the same key must send it again. */
  instanceId: string
}

export const actionResultSchema = z.lazy(() =>
  z.pipe(
    z
      .looseObject({
        decision: z.string().check(z.minLength(1)),
        receipt_id: idSchema,
        approval_id: optionalText,
        tool_response: z.optional(z.unknown()),
        reason: optionalText,
        risk_level: optionalText,
        policy_version: optionalText,
      })
      // Without an approval id a pending decision could never be followed up.
      .check(
        z.refine((wire) => wire.decision !== 'pending_approval' || wire.approval_id !== undefined, {
          message: 'a pending_approval decision must carry approval_id',
          path: ['approval_id'],
        }),
      ),
    z.transform(
      (wire): Omit<ActionResult, 'idempotencyKey' | 'instanceId'> =>
        definedOnly({
          decision: wire.decision,
          receiptId: wire.receipt_id,
          approvalId: wire.approval_id,
          toolResponse: wire.tool_response ?? undefined,
          reason: wire.reason,
          riskLevel: wire.risk_level,
          policyVersion: wire.policy_version,
        }),
    ),
  ),
)
