import {
  type ActionResult,
  type ActionVerdict,
  type AllowedVerdict,
  type Approval,
  ApprovalTimeoutError,
  interpretDecision,
} from '@x/relynt'
import type { ToolCallOptions, ToolOutcome } from './agent-tool.js'
import { invalidTool } from './errors.js'
import type { GuardClient, GuardedToolOptions, ToolAuthorization } from './guarded-tool-options.js'
import { RecentCalls } from './recent-calls.js'
import { resultOutcome } from './result-outcome.js'
import { toolCallKey } from './tool-call-key.js'
import { failedOutcome } from './tool-failure.js'
import { parseInput } from './tool-input.js'
import { refusedOutcome } from './verdict-outcome.js'

/** A call of a guarded tool the gateway answered, with the input it was made with. */
interface DecidedCall<Input> {
  input: Input
  toolCallId: string
  decision: ActionResult
}

interface PendingCall<Input, Result> extends DecidedCall<Input> {
  startedAt: number
  /** Set once a final status is known, so an approved call executes exactly once. */
  settled?: Promise<ToolOutcome<Result>>
}

const MAX_PENDING_CALLS = 1000

/**
 * The calls of one guarded tool: asks the gateway, reads its answer with Relynt's
 * `interpretDecision`, and maps the verdict to an outcome (running the tool's work only on
 * `allowed`). Keeps the calls left pending so the approval check tool can finish them.
 */
export class GuardedCalls<Input, Result> {
  readonly #relynt: GuardClient
  readonly #options: GuardedToolOptions<Input, Result>
  readonly #mode: 'wait' | 'defer'
  readonly #approvalTimeoutMs: number
  readonly #pending = new Map<string, PendingCall<Input, Result>>()
  readonly #recent = new RecentCalls<ToolOutcome<Result>>()

  constructor(
    relynt: GuardClient,
    options: GuardedToolOptions<Input, Result>,
    wait: { mode: 'wait' | 'defer'; approvalTimeoutMs: number },
  ) {
    this.#relynt = relynt
    this.#options = options
    this.#mode = wait.mode
    this.#approvalTimeoutMs = wait.approvalTimeoutMs
  }

  /** One call from the model. A framework re-sending the same call id gets the first answer. */
  run(rawInput: unknown, call: ToolCallOptions): Promise<ToolOutcome<Result>> {
    const { toolCallId } = call
    if (toolCallId === undefined) return this.#decide(rawInput, call, crypto.randomUUID())
    return this.#recent.once(toolCallId, () => this.#decide(rawInput, call, toolCallId))
  }

  /** One check of a call left pending; undefined when this tool holds no call on `approvalId`. */
  async finish(approvalId: string, call: ToolCallOptions): Promise<ToolOutcome<Result> | undefined> {
    const pending = this.#pending.get(approvalId)
    if (pending === undefined) return undefined
    if (pending.settled) return pending.settled
    let approval: Approval
    try {
      approval = await this.#relynt.approvals.get(approvalId, { signal: call.signal })
    } catch (error) {
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    return this.#settle(pending, approval, call.signal, false)
  }

  async #decide(rawInput: unknown, call: ToolCallOptions, toolCallId: string): Promise<ToolOutcome<Result>> {
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
        idempotencyKey: await toolCallKey(this.#relynt.instanceId, this.#options.name, toolCallId),
        signal: call.signal,
      })
    } catch (error) {
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    const verdict = interpretDecision({ result: decision })
    if (verdict.kind !== 'pending')
      return this.#outcome({ input, toolCallId, decision }, verdict, call.signal)
    const pending = this.#remember({ input, toolCallId, decision, startedAt: Date.now() }, verdict.approvalId)
    if (this.#mode === 'defer') return refusedOutcome(verdict)
    return this.#wait(pending, verdict.approvalId, call)
  }

  #remember(pending: PendingCall<Input, Result>, approvalId: string): PendingCall<Input, Result> {
    this.#pending.set(approvalId, pending)
    // Bounded like the recent calls: a session that leaves thousands of approvals open forgets the oldest.
    if (this.#pending.size > MAX_PENDING_CALLS) this.#pending.delete(this.#pending.keys().next().value!)
    return pending
  }

  async #wait(
    pending: PendingCall<Input, Result>,
    approvalId: string,
    call: ToolCallOptions,
  ): Promise<ToolOutcome<Result>> {
    const progress = (attempt: number) =>
      call.onProgress?.({
        kind: 'waiting_for_approval',
        approvalId,
        attempt,
        elapsedMs: Date.now() - pending.startedAt,
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
      if (ApprovalTimeoutError.isInstance(error)) {
        return this.#outcome(pending, interpretDecision({ result: pending.decision }), call.signal, true)
      }
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    return this.#settle(pending, approval, call.signal, true)
  }

  /** The one place a decided approval turns into an outcome, memoised per call. */
  #settle(
    pending: PendingCall<Input, Result>,
    approval: Approval,
    signal: AbortSignal | undefined,
    waited: boolean,
  ): Promise<ToolOutcome<Result>> {
    const verdict = interpretDecision({ result: pending.decision, approval })
    if (verdict.kind === 'pending') return this.#outcome(pending, verdict, signal, waited)
    pending.settled ??= this.#outcome(pending, verdict, signal)
    // A failed execution stays recorded (it may have half-happened); an abort may be retried.
    pending.settled.catch(() => {
      pending.settled = undefined
    })
    return pending.settled
  }

  /** The verdict as the model reads it; the tool's work runs only on `allowed`. */
  async #outcome(
    call: DecidedCall<Input>,
    verdict: ActionVerdict,
    signal: AbortSignal | undefined,
    waited = false,
  ): Promise<ToolOutcome<Result>> {
    if (verdict.kind !== 'allowed') return refusedOutcome(verdict, waited)
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
