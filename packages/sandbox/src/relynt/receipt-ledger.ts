import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { canonicalJson, contentHash } from './content-hash.js'
import type { RiskLevel } from './policy-rule.js'
import { RelyntApiError } from './relynt-api-error.js'

/** The decision a receipt records. */
export type ReceiptDecision = 'allow' | 'deny' | 'pending_approval' | 'error'

/** A receipt exactly as `GET /v1/receipts/{id}` returns it (spec §5). */
export interface RelyntReceipt {
  receipt_id: string
  created_at: string
  organization_id: string
  agent_id: string
  instance_id: string
  action: string
  resource: string
  policy_version: string
  decision: ReceiptDecision
  risk_level: RiskLevel
  request_hash: string
  response_hash?: string
  signature: string
  approval_id?: string
  idempotency_key?: string
  approver?: string
  reason: string
}

export type ReceiptSummary = Pick<
  RelyntReceipt,
  | 'receipt_id'
  | 'created_at'
  | 'agent_id'
  | 'instance_id'
  | 'action'
  | 'resource'
  | 'decision'
  | 'risk_level'
  | 'policy_version'
  | 'approval_id'
  | 'reason'
>

export interface ReceiptFilters {
  decision?: ReceiptDecision
  riskLevel?: RiskLevel
  agentId?: string
  /** Inclusive bounds on `created_at`, epoch milliseconds. */
  from?: number
  to?: number
  /** Case-insensitive substring of the ids, action, resource or reason. */
  search?: string
  /** Only receipts older than this one (a page cursor); a 400 when no such receipt exists. */
  after?: string
}

export interface NewReceipt {
  organizationId: string
  agentId: string
  instanceId: string
  action: string
  resource: string
  policyVersion: string
  decision: ReceiptDecision
  riskLevel: RiskLevel
  reason: string
  /** The request body as the client sent it; `request_hash` is computed from it. */
  request: Record<string, unknown>
  /** The connector's response, when a connector ran; `response_hash` is computed from it. */
  toolResponse?: unknown
  approvalId?: string
  idempotencyKey?: string
  approver?: string
}

interface StoredReceipt {
  receipt: RelyntReceipt
  request: Record<string, unknown>
  hasToolResponse: boolean
  toolResponse: unknown
}

/**
 * The signed fields: those the docs' receipt-verification page lists, in its order (JCS
 * sorts them anyway), then every other field a reader relies on, so changing who approved,
 * why, or under which key is caught as well. Only the gateway checks the signature, so
 * signing more than the docs name costs a client nothing.
 */
const signedFields = [
  'receipt_id',
  'created_at',
  'organization_id',
  'agent_id',
  'instance_id',
  'action',
  'resource',
  'decision',
  'risk_level',
  'policy_version',
  'request_hash',
  'response_hash',
  'approval_id',
  'idempotency_key',
  'approver',
  'reason',
] as const

/**
 * The append-only, signed receipt log. The HMAC key is random per sandbox and never
 * leaves it, as on the real gateway: only the server can verify a signature.
 */
export class ReceiptLedger {
  readonly #key = randomBytes(32)
  readonly #receipts = new Map<string, StoredReceipt>()
  readonly #now: () => string

  constructor(now: () => string) {
    this.#now = now
  }

  get size(): number {
    return this.#receipts.size
  }

  write(input: NewReceipt): RelyntReceipt {
    const receipt: RelyntReceipt = {
      receipt_id: `rec_${randomUUID().replaceAll('-', '')}`,
      created_at: this.#now(),
      organization_id: input.organizationId,
      agent_id: input.agentId,
      instance_id: input.instanceId,
      action: input.action,
      resource: input.resource,
      policy_version: input.policyVersion,
      decision: input.decision,
      risk_level: input.riskLevel,
      request_hash: contentHash(input.request),
      signature: '',
      reason: input.reason,
    }
    const hasToolResponse = 'toolResponse' in input
    if (hasToolResponse) receipt.response_hash = contentHash(input.toolResponse ?? null)
    if (input.approvalId !== undefined) receipt.approval_id = input.approvalId
    if (input.idempotencyKey !== undefined) receipt.idempotency_key = input.idempotencyKey
    if (input.approver !== undefined) receipt.approver = input.approver
    receipt.signature = this.#sign(receipt)
    this.#receipts.set(receipt.receipt_id, {
      receipt,
      request: structuredClone(input.request),
      hasToolResponse,
      toolResponse: structuredClone(input.toolResponse ?? null),
    })
    return structuredClone(receipt)
  }

  get(receiptId: string): RelyntReceipt {
    return structuredClone(this.#stored(receiptId).receipt)
  }

  /** Newest first. */
  list(filters: ReceiptFilters = {}): RelyntReceipt[] {
    const search = filters.search?.toLowerCase()
    const matches: RelyntReceipt[] = []
    const newestFirst = [...this.#receipts.values()].reverse()
    const start = filters.after === undefined ? 0 : this.#indexOf(newestFirst, filters.after) + 1
    for (const { receipt } of newestFirst.slice(start)) {
      if (filters.decision !== undefined && receipt.decision !== filters.decision) continue
      if (filters.riskLevel !== undefined && receipt.risk_level !== filters.riskLevel) continue
      if (filters.agentId !== undefined && receipt.agent_id !== filters.agentId) continue
      const createdAt = Date.parse(receipt.created_at)
      if (filters.from !== undefined && createdAt < filters.from) continue
      if (filters.to !== undefined && createdAt > filters.to) continue
      if (search !== undefined && !searchableText(receipt).includes(search)) continue
      matches.push(structuredClone(receipt))
    }
    return matches
  }

  #indexOf(receipts: StoredReceipt[], receiptId: string): number {
    const index = receipts.findIndex((stored) => stored.receipt.receipt_id === receiptId)
    if (index === -1) {
      throw new RelyntApiError(
        400,
        'bad_request',
        'cursor does not point into this receipt list; list again without it',
      )
    }
    return index
  }

  /**
   * Recomputes the signature and both hashes from what the gateway saw, so a change to
   * any signed field, or to `request_hash`/`response_hash`, is detected.
   */
  verify(receiptId: string): boolean {
    const { receipt, request, hasToolResponse, toolResponse } = this.#stored(receiptId)
    const expected = Buffer.from(this.#sign(receipt))
    const actual = Buffer.from(String(receipt.signature))
    const signatureValid = expected.length === actual.length && timingSafeEqual(expected, actual)
    const requestValid = receipt.request_hash === contentHash(request)
    const responseValid = hasToolResponse
      ? receipt.response_hash === contentHash(toolResponse)
      : receipt.response_hash === undefined
    return signatureValid && requestValid && responseValid
  }

  /** Overwrites one field of a stored receipt, as an attacker with database access would. */
  tamper(receiptId: string, field: string, value: unknown): void {
    const receipt = this.#stored(receiptId).receipt as unknown as Record<string, unknown>
    receipt[field] = value
  }

  #stored(receiptId: string): StoredReceipt {
    const stored = this.#receipts.get(receiptId)
    if (stored === undefined) throw new RelyntApiError(404, 'not_found', `No receipt ${receiptId}`)
    return stored
  }

  #sign(receipt: RelyntReceipt): string {
    // An absent optional field signs as null, so adding one later breaks the signature too.
    const signed = Object.fromEntries(signedFields.map((field) => [field, receipt[field] ?? null]))
    return `hmac-sha256:${createHmac('sha256', this.#key).update(canonicalJson(signed)).digest('hex')}`
  }
}

export function summarizeReceipt(receipt: RelyntReceipt): ReceiptSummary {
  const summary: ReceiptSummary = {
    receipt_id: receipt.receipt_id,
    created_at: receipt.created_at,
    agent_id: receipt.agent_id,
    instance_id: receipt.instance_id,
    action: receipt.action,
    resource: receipt.resource,
    decision: receipt.decision,
    risk_level: receipt.risk_level,
    policy_version: receipt.policy_version,
    reason: receipt.reason,
  }
  if (receipt.approval_id !== undefined) summary.approval_id = receipt.approval_id
  return summary
}

function searchableText(receipt: RelyntReceipt): string {
  return [
    receipt.receipt_id,
    receipt.agent_id,
    receipt.instance_id,
    receipt.action,
    receipt.resource,
    receipt.reason,
    receipt.approval_id ?? '',
  ]
    .join('\n')
    .toLowerCase()
}
