import { randomUUID } from 'node:crypto'
import type { RelyntAgent } from './agent-registry.js'
import type { PolicyEvaluation } from './evaluate-policy.js'
import { RelyntApiError } from './relynt-api-error.js'
import type { ToolCallRequest } from './tool-call-request.js'

/** Where an approval stands in the Relynt sandbox. */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired'

/** An approval as `GET /v1/approvals/{id}` returns it. */
export interface ApprovalView {
  approval_id: string
  status: ApprovalStatus
  decided_by: string | null
  decided_at: string | null
  receipt_id?: string
  tool_response?: unknown
  /** Set when the approved call's connector failed (the final receipt's decision is `error`). */
  error?: { code: string; message: string }
  /** What the person who decided wrote, when they did [inferred: the wire names no field for it]. */
  decision_reason?: string
  created_at: string
  expires_at: string
  agent_id: string
  action: string
  resource: string
  risk_level: string
  reason: string
}

/** The call waiting for a human, kept so the gateway can finish it after the decision. */
export interface PendingCall {
  agent: RelyntAgent
  request: ToolCallRequest
  evaluation: PolicyEvaluation
  idempotencyKey: string
  pendingReceiptId: string
}

export interface ApprovalRecord {
  approvalId: string
  createdAt: number
  expiresAt: number
  /** `deciding`: approved, connector still running; reads as `pending` until the final receipt exists. */
  state: ApprovalStatus | 'deciding'
  decidedBy: string | null
  decidedAt: string | null
  /** What the approver wrote when deciding, if anything. */
  decisionReason?: string
  finalReceiptId?: string
  hasToolResponse: boolean
  toolResponse?: unknown
  error?: { code: string; message: string }
  call: PendingCall
}

/** Approvals and their lifecycle; expiry is computed from the server clock when read. */
export class ApprovalStore {
  readonly #records = new Map<string, ApprovalRecord>()
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  create(call: PendingCall, ttlMs: number): ApprovalRecord {
    const createdAt = this.#now()
    const record: ApprovalRecord = {
      approvalId: `apr_${randomUUID().replaceAll('-', '')}`,
      createdAt,
      expiresAt: createdAt + ttlMs,
      state: 'pending',
      decidedBy: null,
      decidedAt: null,
      hasToolResponse: false,
      call,
    }
    this.#records.set(record.approvalId, record)
    return record
  }

  get(approvalId: string): ApprovalRecord {
    const record = this.#records.get(approvalId)
    if (record === undefined) throw new RelyntApiError(404, 'not_found', `No approval ${approvalId}`)
    this.#expireIfDue(record)
    return record
  }

  /** Moves a pending approval to `deciding`; throws 409 if it is no longer pending. */
  beginDecision(approvalId: string, approver: string, reason?: string): ApprovalRecord {
    const record = this.get(approvalId)
    if (record.state !== 'pending') {
      const state = record.state === 'deciding' ? 'already being approved' : record.state
      throw new RelyntApiError(
        409,
        'conflict',
        `Approval ${approvalId} is ${state}; only a pending approval can be decided`,
      )
    }
    record.state = 'deciding'
    record.decidedBy = approver
    if (reason !== undefined) record.decisionReason = reason
    record.decidedAt = new Date(this.#now()).toISOString()
    return record
  }

  list(status?: ApprovalStatus): ApprovalRecord[] {
    const records = [...this.#records.values()]
    for (const record of records) this.#expireIfDue(record)
    return status === undefined ? records : records.filter((record) => publicStatus(record) === status)
  }

  countByStatus(): Record<ApprovalStatus, number> {
    const counts: Record<ApprovalStatus, number> = { pending: 0, approved: 0, denied: 0, expired: 0 }
    for (const record of this.list()) counts[publicStatus(record)] += 1
    return counts
  }

  #expireIfDue(record: ApprovalRecord): void {
    if (record.state === 'pending' && this.#now() >= record.expiresAt) record.state = 'expired'
  }
}

export function publicStatus(record: ApprovalRecord): ApprovalStatus {
  return record.state === 'deciding' ? 'pending' : record.state
}

export function approvalView(record: ApprovalRecord): ApprovalView {
  const status = publicStatus(record)
  const settled = status !== 'pending'
  const view: ApprovalView = {
    approval_id: record.approvalId,
    status,
    decided_by: settled ? record.decidedBy : null,
    decided_at: settled ? record.decidedAt : null,
    created_at: new Date(record.createdAt).toISOString(),
    expires_at: new Date(record.expiresAt).toISOString(),
    agent_id: record.call.agent.agentId,
    action: record.call.request.action,
    resource: record.call.request.resource,
    risk_level: record.call.evaluation.riskLevel,
    reason: record.call.evaluation.reason,
  }
  if (settled && record.finalReceiptId !== undefined) view.receipt_id = record.finalReceiptId
  if (settled && record.hasToolResponse) view.tool_response = record.toolResponse
  if (settled && record.error !== undefined) view.error = record.error
  if (settled && record.decisionReason !== undefined) view.decision_reason = record.decisionReason
  return view
}
