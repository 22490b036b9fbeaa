import type { Clock } from '../shared/clock.js'
import { AgentRegistry, type RelyntAgent } from './agent-registry.js'
import { type ApprovalRecord, ApprovalStore } from './approval-store.js'
import { contentHash } from './content-hash.js'
import { evaluatePolicy, type PolicyEvaluation } from './evaluate-policy.js'
import { IdempotencyStore, type StoredResponse } from './idempotency-store.js'
import { type Policy, type PolicyRule, parsePolicyRules } from './policy-rule.js'
import { ReceiptLedger } from './receipt-ledger.js'
import { RelyntApiError, relyntErrorBody } from './relynt-api-error.js'
import type { ToolCallRequest } from './tool-call-request.js'
import type { Connector, ConnectorCall } from './tool-connector.js'

/** Decides every approval automatically after a delay, as a person clicking in Slack would. */
export interface AutoDecision {
  /** How long after the approval was created the decision is taken (real time, not the server clock). */
  afterMs: number
  decision: 'approve' | 'deny'
  /** default 'sandbox:auto' */
  approver?: string
}

export interface RelyntGatewayOptions {
  organizationId: string
  clock: Clock
  policy: Policy
  approvalTtlMs: number
  connector?: Connector
  autoDecision?: AutoDecision
  /** Told about each new pending approval (not about replays of the call that created it). */
  onPendingApproval?: (record: ApprovalRecord) => void
}

export interface GatewayResponse extends StoredResponse {
  replayed: boolean
}

/** What `POST /v1/policy-simulator` answers. */
export interface SimulationResult {
  decision: PolicyEvaluation['decision']
  risk_level: PolicyEvaluation['riskLevel']
  requires_approval: boolean
  reason: string
  policy_version: string
  matched_rule: (PolicyRule & { index: number }) | null
}

/**
 * The gateway's behaviour, independent of HTTP: authenticate, evaluate, record, run the
 * connector, and finish calls that waited for a human.
 */
export class RelyntGateway {
  readonly organizationId: string
  readonly agents: AgentRegistry
  readonly receipts: ReceiptLedger
  readonly approvals: ApprovalStore
  readonly idempotency: IdempotencyStore
  readonly counters = { gatewayCalls: 0, replays: 0, conflicts: 0, connectorCalls: 0, simulations: 0 }
  #policy: Policy
  #policyRevision = 1
  readonly #options: RelyntGatewayOptions
  readonly #timers = new Set<NodeJS.Timeout>()

  constructor(options: RelyntGatewayOptions) {
    this.#options = options
    this.organizationId = options.organizationId
    this.#policy = options.policy
    const nowIso = () => options.clock.nowIso()
    const now = () => options.clock.now()
    this.agents = new AgentRegistry(nowIso)
    this.receipts = new ReceiptLedger(nowIso)
    this.approvals = new ApprovalStore(now)
    this.idempotency = new IdempotencyStore(now)
  }

  get policy(): Policy {
    return structuredClone(this.#policy)
  }

  /** Replaces the policy; without a version the next `vN` is used. */
  setPolicy(rules: unknown, version?: string): Policy {
    const parsed = parsePolicyRules(rules)
    if (version !== undefined && (typeof version !== 'string' || version.trim() === '')) {
      throw new TypeError('Policy version must be a non-empty string such as "v2"')
    }
    this.#policyRevision += 1
    this.#policy = { version: version ?? this.#nextVersion(), rules: parsed }
    return this.policy
  }

  /** `v3` → `v4`; a version that is not `v<number>` gives way to `v<number of policies set>`. */
  #nextVersion(): string {
    const numbered = /^v(\d+)$/.exec(this.#policy.version)
    return numbered === null ? `v${this.#policyRevision}` : `v${Number(numbered[1]) + 1}`
  }

  /** Resolves the agent behind an Authorization header: 401 when unknown, 403 for another organisation. */
  authenticate(authorization: string | undefined): RelyntAgent {
    const agent = this.agents.authenticate(authorization)
    if (agent.organizationId !== this.organizationId) {
      throw new RelyntApiError(
        403,
        'forbidden',
        `Agent ${agent.agentId} belongs to organisation ${agent.organizationId}, not ${this.organizationId}`,
      )
    }
    return agent
  }

  /** One gateway call, exactly once per (agent, Idempotency-Key). */
  async toolCall(
    agent: RelyntAgent,
    idempotencyKey: string,
    request: ToolCallRequest,
  ): Promise<GatewayResponse> {
    this.counters.gatewayCalls += 1
    let claim: ReturnType<IdempotencyStore['claim']>
    try {
      claim = this.idempotency.claim(agent.agentId, idempotencyKey, contentHash(request.body))
    } catch (error) {
      this.counters.conflicts += 1
      throw error
    }
    if (claim.kind === 'replay') {
      this.counters.replays += 1
      return { ...(await claim.response), replayed: true }
    }
    let response: StoredResponse
    try {
      response = await this.#execute(agent, idempotencyKey, request)
    } catch (error) {
      // Stored like a success: whatever ran before the failure must not run again on retry.
      response =
        error instanceof RelyntApiError
          ? { status: error.status, body: JSON.stringify(error.toBody()) }
          : {
              status: 500,
              body: JSON.stringify(relyntErrorBody('internal_error', 'The gateway failed unexpectedly')),
            }
    }
    claim.complete(response)
    return { ...response, replayed: false }
  }

  /** Evaluates without side effects: no receipt, approval, connector call or idempotency record. */
  simulate(request: ToolCallRequest): SimulationResult {
    this.counters.simulations += 1
    const evaluation = evaluatePolicy(this.#policy, request)
    return {
      decision: evaluation.decision,
      risk_level: evaluation.riskLevel,
      requires_approval: evaluation.decision === 'pending_approval',
      reason: evaluation.reason,
      policy_version: evaluation.policyVersion,
      matched_rule:
        evaluation.matchedRule === undefined
          ? null
          : { index: evaluation.matchedRule.index, ...structuredClone(evaluation.matchedRule.rule) },
    }
  }

  /**
   * Approves a pending call: runs the connector and writes the final `allow` receipt
   * (or `error` if the connector failed). Throws synchronously if the approval is
   * unknown or no longer pending; the returned promise never rejects.
   */
  approve(approvalId: string, approver = 'sandbox:admin', reason?: string): Promise<void> {
    const record = this.approvals.beginDecision(approvalId, approver, reason)
    return this.#finishApproved(record, approver)
  }

  /** Denies a pending call and writes the final `deny` receipt. */
  deny(approvalId: string, approver = 'sandbox:admin', reason?: string): void {
    const record = this.approvals.beginDecision(approvalId, approver, reason)
    const { call } = record
    const receipt = this.#writeReceipt(call.agent, call.request, call.evaluation, {
      decision: 'deny',
      reason: decisionText('Denied', approver, reason),
      approvalId,
      approver,
      idempotencyKey: call.idempotencyKey,
    })
    record.finalReceiptId = receipt.receipt_id
    record.state = 'denied'
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  async #execute(
    agent: RelyntAgent,
    idempotencyKey: string,
    request: ToolCallRequest,
  ): Promise<StoredResponse> {
    let evaluation: PolicyEvaluation
    try {
      evaluation = evaluatePolicy(this.#policy, request)
    } catch (error) {
      if (!(error instanceof RelyntApiError)) throw error
      // Every call leaves a receipt, including one the policy could not evaluate.
      const receipt = this.#writeReceipt(
        agent,
        request,
        { riskLevel: 'low', reason: error.message, policyVersion: this.#policy.version },
        { decision: 'error', reason: error.message, idempotencyKey },
      )
      throw new RelyntApiError(error.status, error.code, error.message, { receipt_id: receipt.receipt_id })
    }

    const decided = (body: Record<string, unknown>): StoredResponse => ({
      status: 200,
      body: JSON.stringify({
        ...body,
        risk_level: evaluation.riskLevel,
        policy_version: evaluation.policyVersion,
        reason: evaluation.reason,
      }),
    })

    if (evaluation.decision === 'deny') {
      const receipt = this.#writeReceipt(agent, request, evaluation, { decision: 'deny', idempotencyKey })
      return decided({ decision: 'deny', receipt_id: receipt.receipt_id })
    }

    if (evaluation.decision === 'pending_approval') {
      const approval = this.approvals.create(
        { agent, request, evaluation, idempotencyKey, pendingReceiptId: '' },
        this.#options.approvalTtlMs,
      )
      const receipt = this.#writeReceipt(agent, request, evaluation, {
        decision: 'pending_approval',
        approvalId: approval.approvalId,
        idempotencyKey,
      })
      approval.call.pendingReceiptId = receipt.receipt_id
      this.#scheduleAutoDecision(approval.approvalId)
      this.#options.onPendingApproval?.(approval)
      return decided({
        decision: 'pending_approval',
        receipt_id: receipt.receipt_id,
        approval_id: approval.approvalId,
      })
    }

    const connector = this.#options.connector
    if (connector === undefined) {
      const receipt = this.#writeReceipt(agent, request, evaluation, { decision: 'allow', idempotencyKey })
      return decided({ decision: 'allow', receipt_id: receipt.receipt_id })
    }
    const outcome = await this.#runConnector(connector, agent, request, idempotencyKey)
    if (!outcome.ok) {
      // The policy allowed the call but the write failed: the receipt says `error` and the
      // agent gets a 502 `connector_error` (the spec has no code for this; 502 is what a
      // gateway answers when its upstream fails). It is stored under the idempotency key
      // like any answer, because the connector may have done part of the write.
      const receipt = this.#writeReceipt(agent, request, evaluation, {
        decision: 'error',
        reason: outcome.message,
        idempotencyKey,
      })
      throw new RelyntApiError(502, 'connector_error', outcome.message, { receipt_id: receipt.receipt_id })
    }
    const receipt = this.#writeReceipt(agent, request, evaluation, {
      decision: 'allow',
      idempotencyKey,
      toolResponse: outcome.value,
    })
    return decided({ decision: 'allow', receipt_id: receipt.receipt_id, tool_response: outcome.value })
  }

  async #finishApproved(record: ApprovalRecord, approver: string): Promise<void> {
    const { call } = record
    const base = { approvalId: record.approvalId, approver, idempotencyKey: call.idempotencyKey }
    const approvedText = decisionText('Approved', approver, record.decisionReason)
    try {
      const connector = this.#options.connector
      if (connector === undefined) {
        const receipt = this.#writeReceipt(call.agent, call.request, call.evaluation, {
          ...base,
          decision: 'allow',
          reason: approvedText,
        })
        record.finalReceiptId = receipt.receipt_id
      } else {
        const outcome = await this.#runConnector(
          connector,
          call.agent,
          call.request,
          call.idempotencyKey,
          record.approvalId,
        )
        if (outcome.ok) {
          const receipt = this.#writeReceipt(call.agent, call.request, call.evaluation, {
            ...base,
            decision: 'allow',
            reason: approvedText,
            toolResponse: outcome.value,
          })
          record.finalReceiptId = receipt.receipt_id
          record.hasToolResponse = true
          record.toolResponse = outcome.value
        } else {
          const receipt = this.#writeReceipt(call.agent, call.request, call.evaluation, {
            ...base,
            decision: 'error',
            reason: outcome.message,
          })
          record.finalReceiptId = receipt.receipt_id
          record.error = { code: 'connector_error', message: outcome.message }
        }
      }
    } catch (error) {
      record.error = {
        code: 'internal_error',
        message: error instanceof Error ? error.message : String(error),
      }
    } finally {
      record.state = 'approved'
    }
  }

  async #runConnector(
    connector: Connector,
    agent: RelyntAgent,
    request: ToolCallRequest,
    idempotencyKey: string,
    approvalId?: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
    const call: ConnectorCall = {
      agent_id: agent.agentId,
      instance_id: request.instanceId,
      action: request.action,
      resource: request.resource,
      payload: structuredClone(request.payload),
      idempotency_key: idempotencyKey,
    }
    if (approvalId !== undefined) call.approval_id = approvalId
    this.counters.connectorCalls += 1
    try {
      const value = await connector(call)
      // `tool_response` is JSON on the wire; a value with no JSON form becomes null.
      return { ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) }
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : 'Connector failed' }
    }
  }

  #writeReceipt(
    agent: RelyntAgent,
    request: ToolCallRequest,
    evaluation: Pick<PolicyEvaluation, 'riskLevel' | 'reason' | 'policyVersion'>,
    fields: {
      decision: 'allow' | 'deny' | 'pending_approval' | 'error'
      reason?: string
      idempotencyKey: string
      approvalId?: string
      approver?: string
      toolResponse?: unknown
    },
  ) {
    const { toolResponse, ...rest } = fields
    return this.receipts.write({
      organizationId: this.organizationId,
      agentId: agent.agentId,
      instanceId: request.instanceId,
      action: request.action,
      resource: request.resource,
      policyVersion: evaluation.policyVersion,
      riskLevel: evaluation.riskLevel,
      request: request.body,
      ...rest,
      reason: fields.reason ?? evaluation.reason,
      ...('toolResponse' in fields ? { toolResponse } : {}),
    })
  }

  #scheduleAutoDecision(approvalId: string): void {
    const auto = this.#options.autoDecision
    if (auto === undefined) return
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      const approver = auto.approver ?? 'sandbox:auto'
      try {
        if (auto.decision === 'approve') void this.approve(approvalId, approver)
        else this.deny(approvalId, approver)
      } catch {
        // Decided by someone else or expired first: nothing left to do.
      }
    }, auto.afterMs)
    timer.unref()
    this.#timers.add(timer)
  }
}

/** The receipt's reason for a human decision: who decided, and why when they said. */
function decisionText(verb: 'Approved' | 'Denied', approver: string, reason: string | undefined): string {
  return reason === undefined ? `${verb} by ${approver}` : `${verb} by ${approver}: ${reason}`
}
