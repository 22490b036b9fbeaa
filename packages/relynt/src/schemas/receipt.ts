import * as z from 'zod/mini'
import { definedOnly } from '../defined-only.js'
import { idSchema, optionalText, type ReceiptDecision, type RiskLevel } from './wire-values.js'

/**
 * A signed, append-only record of one gateway decision. The signature covers
 * `receiptId … requestHash`; only the gateway can check it (`receipts.verify`).
 */
export interface Receipt {
  receiptId: string
  /** ISO 8601. */
  createdAt: string
  organizationId?: string
  agentId?: string
  instanceId?: string
  action: string
  resource: string
  policyVersion?: string
  decision: ReceiptDecision
  riskLevel?: RiskLevel
  /** `"sha256:<hex>"` of the RFC 8785 canonical JSON of the request body the gateway judged. */
  requestHash: string
  /** `"sha256:<hex>"` of the connector response, when a connector ran. */
  responseHash?: string
  /** `"hmac-sha256:<hex>"`, made with a key only the gateway holds. */
  signature?: string
  approvalId?: string
  idempotencyKey?: string
  approver?: string
  /** Why the policy decided as it did. */
  reason?: string
}

/** One row of `receipts.list`; `receipts.get` returns the full receipt. */
export interface ReceiptSummary {
  receiptId: string
  createdAt?: string
  agentId?: string
  instanceId?: string
  action?: string
  resource?: string
  decision?: ReceiptDecision
  riskLevel?: RiskLevel
  policyVersion?: string
  approvalId?: string
  reason?: string
}

export const receiptSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      receipt_id: idSchema,
      created_at: z.string().check(z.minLength(1)),
      organization_id: optionalText,
      agent_id: optionalText,
      instance_id: optionalText,
      action: z.string(),
      resource: z.string(),
      policy_version: optionalText,
      decision: z.string().check(z.minLength(1)),
      risk_level: optionalText,
      request_hash: z.string().check(z.minLength(1)),
      response_hash: optionalText,
      signature: optionalText,
      approval_id: optionalText,
      idempotency_key: optionalText,
      approver: optionalText,
      reason: optionalText,
    }),
    z.transform(
      (wire): Receipt =>
        definedOnly({
          receiptId: wire.receipt_id,
          createdAt: wire.created_at,
          organizationId: wire.organization_id,
          agentId: wire.agent_id,
          instanceId: wire.instance_id,
          action: wire.action,
          resource: wire.resource,
          policyVersion: wire.policy_version,
          decision: wire.decision,
          riskLevel: wire.risk_level,
          requestHash: wire.request_hash,
          responseHash: wire.response_hash,
          signature: wire.signature,
          approvalId: wire.approval_id,
          idempotencyKey: wire.idempotency_key,
          approver: wire.approver,
          reason: wire.reason,
        }),
    ),
  ),
)

const receiptSummarySchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      receipt_id: idSchema,
      created_at: optionalText,
      agent_id: optionalText,
      instance_id: optionalText,
      action: optionalText,
      resource: optionalText,
      decision: optionalText,
      risk_level: optionalText,
      policy_version: optionalText,
      approval_id: optionalText,
      reason: optionalText,
    }),
    z.transform(
      (wire): ReceiptSummary =>
        definedOnly({
          receiptId: wire.receipt_id,
          createdAt: wire.created_at,
          agentId: wire.agent_id,
          instanceId: wire.instance_id,
          action: wire.action,
          resource: wire.resource,
          decision: wire.decision,
          riskLevel: wire.risk_level,
          policyVersion: wire.policy_version,
          approvalId: wire.approval_id,
          reason: wire.reason,
        }),
    ),
  ),
)

/**
 * One page of `GET /v1/receipts` as the gateway sent it. The docs call the list paginated
 * without showing the envelope, so every shape seen in the wild is read: a bare array (all
 * there is), or the items under `receipts`, `data` or `items` with a cursor under
 * `next_cursor` or `cursor` and an optional `has_more`.
 */
export interface ReceiptPageWire {
  receipts: ReceiptSummary[]
  /** Where the next page starts; undefined when the gateway named none. */
  nextCursor: string | undefined
  /** The gateway's own word on whether more follow, when it sent one. */
  hasMore: boolean | undefined
}

const summaries = z.lazy(() => z.optional(z.array(receiptSummarySchema)))

const receiptEnvelopeSchema = z.lazy(() =>
  z.pipe(
    z
      .looseObject({
        receipts: summaries,
        data: summaries,
        items: summaries,
        next_cursor: optionalText,
        cursor: optionalText,
        has_more: z.optional(z.nullable(z.boolean())),
      })
      .check(
        z.refine((wire) => (wire.receipts ?? wire.data ?? wire.items) !== undefined, {
          message: 'a receipt list carries its receipts under receipts, data or items',
          path: ['receipts'],
        }),
      ),
    z.transform(
      (wire): ReceiptPageWire => ({
        receipts: wire.receipts ?? wire.data ?? wire.items ?? [],
        // An empty cursor points nowhere.
        nextCursor: wire.next_cursor || wire.cursor || undefined,
        hasMore: wire.has_more ?? undefined,
      }),
    ),
  ),
)

const bareReceiptListSchema = z.lazy(() =>
  z.pipe(
    z.array(receiptSummarySchema),
    z.transform((receipts): ReceiptPageWire => ({ receipts, nextCursor: undefined, hasMore: false })),
  ),
)

export const receiptPageSchema = z.lazy(() => z.union([bareReceiptListSchema, receiptEnvelopeSchema]))

export const receiptVerificationSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({ valid: z.boolean() }),
    z.transform((wire) => wire.valid),
  ),
)
