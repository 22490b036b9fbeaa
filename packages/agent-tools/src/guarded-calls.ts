import {
  type ActionResult,
  type ActionVerdict,
  type AllowedVerdict,
  type Approval,
  ApprovalTimeoutError,
  interpretDecision,
  type PendingVerdict,
} from '@x/relynt'
import type { ToolCallOptions, ToolOutcome } from './agent-tool.js'
import { invalidTool } from './errors.js'
import type { GuardClient, GuardedToolOptions, ToolAuthorization } from './guarded-tool-options.js'
import type { PendingCall } from './pending-call-store.js'
import type { PendingCalls } from './pending-calls.js'
import { RecentCalls } from './recent-calls.js'
import { resultOutcome } from './result-outcome.js'
import { toolCallKey } from './tool-call-key.js'
import { failedOutcome } from './tool-failure.js'
import { parseInput } from './tool-input.js'
import { type PendingAsk, refusedOutcome } from './verdict-outcome.js'

/** A call of a guarded tool the gateway answered, with the input it was made with. */
interface DecidedCall<Input> {
  input: Input
  toolCallId: string
  decision: ActionResult
}

/**
 * The calls of one guarded tool: asks the gateway, reads its answer with Relynt's
 * `interpretDecision`, and maps the verdict to an outcome (running the tool's work only on
 * `allowed`). Calls left pending go to the pending-call store, so the approval check tool can
 * finish them here, after a restart or on another replica sharing the store; each approved
 * call runs once across all of them.
 */
export class GuardedCalls<Input, Result> {
  readonly #relynt: GuardClient
  readonly #options: GuardedToolOptions<Input, Result>
  readonly #mode: 'wait' | 'defer'
  readonly #approvalTimeoutMs: number
  readonly #pending: PendingCalls
  readonly #recent = new RecentCalls<ToolOutcome<Result>>()

  constructor(
    relynt: GuardClient,
    options: GuardedToolOptions<Input, Result>,
    calls: { mode: 'wait' | 'defer'; approvalTimeoutMs: number; pendingCalls: PendingCalls },
  ) {
    this.#relynt = relynt
    this.#options = options
    this.#mode = calls.mode
    this.#approvalTimeoutMs = calls.approvalTimeoutMs
    this.#pending = calls.pendingCalls
  }

  /**
   * One call from the model. The session scopes call ids (two sessions that both say `call_1`
   * are two calls); a framework re-sending the same call id in a session gets the first answer.
   */
  run(rawInput: unknown, call: ToolCallOptions): Promise<ToolOutcome<Result>> {
    const sessionId = call.sessionId ?? this.#relynt.instanceId
    const { toolCallId } = call
    if (toolCallId === undefined) return this.#decide(rawInput, call, sessionId, crypto.randomUUID())
    return this.#recent.once(`${sessionId}\n${toolCallId}`, () =>
      this.#decide(rawInput, call, sessionId, toolCallId),
    )
  }

  /** One check of a call left pending; undefined when the store holds no call of this tool on `approvalId`. */
  async finish(approvalId: string, call: ToolCallOptions): Promise<ToolOutcome<Result> | undefined> {
    let pending: PendingCall | undefined
    try {
      pending = await this.#pending.find(approvalId, this.#options.name)
    } catch (error) {
      return failedOutcome(error, call.signal, 'store_unavailable')
    }
    if (pending === undefined) return undefined
    if (pending.outcome !== undefined) return pending.outcome as ToolOutcome<Result>
    // The store is outside this process: what runs is re-checked against the tool's schema.
    const parsed = parseInput(this.#options.name, this.#options.input, pending.input)
    if (!parsed.ok) return parsed.outcome
    pending.input = parsed.input
    let approval: Approval
    try {
      approval = await this.#relynt.approvals.get(approvalId, { signal: call.signal })
    } catch (error) {
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    return this.#settle(pending, approval, call.signal, 'checked')
  }

  async #decide(
    rawInput: unknown,
    call: ToolCallOptions,
    sessionId: string,
    toolCallId: string,
  ): Promise<ToolOutcome<Result>> {
    const parsed = parseInput(this.#options.name, this.#options.input, rawInput)
    if (!parsed.ok) return parsed.outcome
    const input = parsed.input
    let request: { resource: string; payload: Record<string, unknown> }
    try {
      request = await gatewayRequest(this.#options, input, toolCallId)
    } catch (error) {
      return failedOutcome(error, call.signal, 'invalid_request')
    }
    let decision: ActionResult
    try {
      decision = await this.#relynt.requestAction({
        action: this.#options.action,
        ...request,
        idempotencyKey: await toolCallKey(sessionId, this.#options.name, toolCallId),
        signal: call.signal,
      })
    } catch (error) {
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    const verdict = interpretDecision({ result: decision })
    if (verdict.kind !== 'pending')
      return this.#outcome({ input, toolCallId, decision }, verdict, call.signal)
    let pending: PendingCall
    try {
      pending = await this.#record(decision, verdict, input, sessionId, toolCallId)
    } catch (error) {
      return failedOutcome(error, call.signal, 'store_unavailable')
    }
    if (pending.outcome !== undefined) return pending.outcome as ToolOutcome<Result>
    if (this.#mode === 'defer') return refusedOutcome(verdict, this.#options.name)
    return this.#wait(pending, verdict, call)
  }

  /**
   * Saves the call before anyone waits on it, so a wait the client cancels or outlives is
   * still finishable. The same call sent again (same session and call id, so the same key and
   * the gateway's same approval) finds the one already saved.
   */
  async #record(
    decision: ActionResult,
    verdict: PendingVerdict,
    input: Input,
    sessionId: string,
    toolCallId: string,
  ): Promise<PendingCall> {
    const { approvalId } = verdict
    const existing = await this.#pending.find(approvalId, this.#options.name)
    if (existing !== undefined) return existing
    const pending: PendingCall = {
      approvalId,
      toolName: this.#options.name,
      input,
      idempotencyKey: decision.idempotencyKey,
      sessionId,
      toolCallId,
      receiptId: verdict.receiptId,
      createdAt: Date.now(),
    }
    if (verdict.reason !== undefined) pending.reason = verdict.reason
    await this.#pending.record(pending)
    return pending
  }

  async #wait(
    pending: PendingCall,
    verdict: PendingVerdict,
    call: ToolCallOptions,
  ): Promise<ToolOutcome<Result>> {
    const { approvalId } = pending
    const startedAt = Date.now()
    const progress = (attempt: number) =>
      call.onProgress?.({
        kind: 'waiting_for_approval',
        approvalId,
        attempt,
        elapsedMs: Date.now() - startedAt,
        message: `Waiting for a person to approve ${this.#options.name} (approval ${approvalId})`,
      })
    await progress(0)
    let approval: Approval
    try {
      approval = await this.#relynt.pollApproval({
        approvalId,
        timeoutMs: this.#approvalTimeoutMs,
        signal: call.signal,
        onPoll: async (status, attempt) => {
          if (status === 'pending') await progress(attempt)
        },
      })
    } catch (error) {
      // Outlived: the call stays in the store for the approval check tool.
      if (ApprovalTimeoutError.isInstance(error)) return refusedOutcome(verdict, this.#options.name, 'waited')
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    return this.#settle(pending, approval, call.signal, 'waited')
  }

  /**
   * The one place a decided approval turns into an outcome: once per approval across every
   * process sharing the store, which keeps the outcome for whoever asks again.
   */
  async #settle(
    pending: PendingCall,
    approval: Approval,
    signal: AbortSignal | undefined,
    asked: PendingAsk,
  ): Promise<ToolOutcome<Result>> {
    const decision = decisionOf(pending)
    const verdict = interpretDecision({ result: decision, approval })
    if (verdict.kind === 'pending') return refusedOutcome(verdict, this.#options.name, asked)
    const call = { input: pending.input as Input, toolCallId: pending.toolCallId, decision }
    try {
      return (await this.#pending.finish(pending, () =>
        this.#outcome(call, verdict, signal),
      )) as ToolOutcome<Result>
    } catch (error) {
      return failedOutcome(error, signal, 'store_unavailable')
    }
  }

  /** The verdict as the model reads it; the tool's work runs only on `allowed`. */
  async #outcome(
    call: DecidedCall<Input>,
    verdict: ActionVerdict,
    signal: AbortSignal | undefined,
  ): Promise<ToolOutcome<Result>> {
    if (verdict.kind !== 'allowed') return refusedOutcome(verdict, this.#options.name)
    const authorization = toolAuthorization(verdict, call.decision)
    try {
      const result = await this.#options.execute(call.input, {
        toolCallId: call.toolCallId,
        signal,
        authorization,
      })
      return resultOutcome<Result>(result as Result, authorization)
    } catch (error) {
      return failedOutcome(error, signal, 'execute_failed', authorization.receiptId)
    }
  }
}

/** The `pending_approval` decision a stored call was made under. */
function decisionOf(pending: PendingCall): ActionResult {
  const decision: ActionResult = {
    decision: 'pending_approval',
    receiptId: pending.receiptId,
    approvalId: pending.approvalId,
    idempotencyKey: pending.idempotencyKey,
    instanceId: pending.sessionId,
  }
  if (pending.reason !== undefined) decision.reason = pending.reason
  return decision
}

function toolAuthorization(verdict: AllowedVerdict, decision: ActionResult): ToolAuthorization {
  const authorization: ToolAuthorization = {
    receiptId: verdict.receiptId,
    idempotencyKey: decision.idempotencyKey,
  }
  if (verdict.approvalId) authorization.approvalId = verdict.approvalId
  if (verdict.approvedBy) authorization.approvedBy = verdict.approvedBy
  if (verdict.toolResponse !== undefined) authorization.toolResponse = verdict.toolResponse
  return authorization
}

/** The resource and payload the gateway is asked about, checked: a tool's functions may return anything. */
async function gatewayRequest<Input, Result>(
  options: GuardedToolOptions<Input, Result>,
  input: Input,
  toolCallId: string,
): Promise<{ resource: string; payload: Record<string, unknown> }> {
  const { name } = options
  const resource = await options.resource(input)
  if (typeof resource !== 'string' || resource.trim() === '') {
    throw invalidTool(
      `${name}: resource(input) returned ${JSON.stringify(resource)}; it must return a non-empty string.`,
    )
  }
  const payload = options.payload?.(input) ?? {}
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw invalidTool(`${name}: payload(input) must return a plain object.`)
  }
  return {
    resource,
    payload: options.payloadToolCallId === false ? payload : { ...payload, tool_call_id: toolCallId },
  }
}
