import * as z from 'zod/mini'
import { definedOnly } from '../defined-only.js'
import { type ApprovalStatus, idSchema, optionalText } from './wire-values.js'

/** An approval as `GET /v1/approvals/{id}` reports it. */
export interface Approval {
  approvalId: string
  status: ApprovalStatus
  /** Who decided, e.g. `slack:U12345`; null while pending or when it expired. */
  decidedBy: string | null
  /** ISO 8601; null while pending. */
  decidedAt: string | null
  /** The final receipt (`allow` after approval, `deny` after denial), once decided. */
  receiptId?: string
  /** What the connector returned after the approval, when one ran. */
  toolResponse?: unknown
  /** Set when the approval went through but the gateway's connector then failed. */
  error?: { code: string; message: string }
  /** What the person who decided wrote, e.g. why they denied it (`decision_reason`), when they did. */
  decisionReason?: string
}

/** `approvalId` is filled from the request path when a gateway leaves it out of the body. */
export const approvalSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      approval_id: z.catch(z.optional(idSchema), undefined),
      status: z.string().check(z.minLength(1)),
      decided_by: optionalText,
      decided_at: optionalText,
      receipt_id: optionalText,
      decision_reason: optionalText,
      tool_response: z.optional(z.unknown()),
      error: z.catch(
        z.optional(
          z.pipe(
            z.looseObject({ code: z.catch(z.string(), 'error'), message: z.catch(z.string(), '') }),
            z.transform(({ code, message }) => ({ code, message })),
          ),
        ),
        undefined,
      ),
    }),
    z.transform((wire): Omit<Approval, 'approvalId'> & { approvalId: string | undefined } =>
      definedOnly({
        approvalId: wire.approval_id,
        status: wire.status,
        decidedBy: wire.decided_by ?? null,
        decidedAt: wire.decided_at ?? null,
        receiptId: wire.receipt_id,
        toolResponse: wire.tool_response ?? undefined,
        error: wire.error,
        decisionReason: wire.decision_reason,
      }),
    ),
  ),
)
