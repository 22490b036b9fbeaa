import type { ActionResult, Approval, RelyntClient } from '@x/relynt'
import { ApprovalTimeoutError } from '@x/relynt'
import type { $ZodType } from 'zod/v4/core'
import type {
  AgentTool,
  DeniedOutcome,
  PendingApprovalOutcome,
  ToolAnnotations,
  ToolCallOptions,
  ToolOutcome,
} from './agent-tool.js'
import type { ExecuteContext } from './define-tool.js'
import { invalidTool } from './errors.js'
import type { ObservedEffect } from './observed-effect.js'
import { RecentCalls } from './recent-calls.js'
import { resultOutcome } from './result-outcome.js'
import { toolCallKey } from './tool-call-key.js'
import { failedOutcome } from './tool-failure.js'
import { checkDescription, checkToolName, inputJsonSchema, parseInput } from './tool-input.js'

/** The name of the companion tool that finishes a call left `pending_approval`. */
export const CHECK_APPROVAL_TOOL_NAME = 'relynt_check_approval'

/** What a guarded tool needs of a Relynt client (a `RelyntClient` has it all). */
export type GuardClient = Pick<RelyntClient, 'instanceId' | 'requestAction' | 'pollApproval'> & {
  readonly approvals: Pick<RelyntClient['approvals'], 'get'>
}

/** The authorisation an `execute` of a guarded tool runs under. */
export interface ToolAuthorization {
  receiptId: string
  /** The key the gateway call was sent with. */
  idempotencyKey: string
  approvalId?: string
  approvedBy?: string
  /** What the gateway's connector returned, when one ran. */
  toolResponse?: unknown
}

export interface GuardedExecuteContext extends ExecuteContext {
  /** Undefined only for a tool built with `unguarded: true`. */
  authorization: ToolAuthorization | undefined
}

/**
 * What {@link guardedTool} needs: the tool as the model sees it, the Relynt action and resource
 * each call is authorised as, and the work that runs once the gateway allows it.
 */
export interface GuardedToolOptions<Input, Result> {
  name: string
  description: string
  /** A zod object schema (zod or zod/mini); the JSON Schema the model sees is derived from it. */
  input: $ZodType<Input>
  /** What the gateway's policy matches, e.g. `ralio.pay`. */
  action: string
  /** What the action acts on, from the input, e.g. `(input) => 'crm:deal:' + input.dealId`. */
  resource: (input: Input) => string | Promise<string>
  /** The fields the policy reads (`amount`, `stage`…). `tool_call_id` is added to it. */
  payload?: (input: Input) => Record<string, unknown>
  /**
   * Runs only once the gateway allowed the call (at once, or after a person approved). Its
   * result comes back as `allowed`; to report what the system that acted observed (`paid`,
   * `not_executed`…) instead, return an {@link ObservedEffect}.
   */
  execute: (input: Input, context: GuardedExecuteContext) => Promise<Result> | Result
  /**
   * When a person must approve: `'wait'` (default) polls until they decide or
   * `approvalTimeoutMs` runs out; `'defer'` returns `pending_approval` at once. Either way a
   * call still pending is finished later by the approval check tool.
   */
  pending?: 'wait' | 'defer'
  /** How long `'wait'` waits for a person. Default 120 000 (2 min): model calls have timeouts too. */
  approvalTimeoutMs?: number
  annotations?: ToolAnnotations
}

/** A tool whose every call is authorised by the Relynt gateway before it runs. */
export interface GuardedTool<Input = unknown, Result = unknown> extends AgentTool<Input, Result> {
  readonly action: string
  /**
   * Finishes a call of this tool left `pending_approval`: checks the approval once and, if a
   * person approved, executes the call with its original input (once, however often it is
   * asked). Undefined when this tool holds no call waiting on `approvalId`.
   */
  finishApproval(approvalId: string, options?: ToolCallOptions): Promise<ToolOutcome<Result> | undefined>
}

interface PendingCall<Input, Result> {
  input: Input
  toolCallId: string
  decision: ActionResult
  startedAt: number
  /** Set once a final status is known, so an approved call executes exactly once. */
  settled?: Promise<ToolOutcome<Result>>
}

const DEFAULT_APPROVAL_TIMEOUT_MS = 120_000
const MAX_PENDING_CALLS = 1000

/**
 * A tool that asks the Relynt gateway before it runs. Allowed → `execute` runs and the
 * result comes back with the receipt id; denied → `{ status: 'denied', reason, receiptId }`;
 * approval needed → waits for the person, or (with `pending: 'defer'`) returns
 * `pending_approval` for the approval check tool to finish later.
 */
export function guardedTool<Input, Result>(
  relynt: GuardClient,
  options: GuardedToolOptions<Input, Result>,
): GuardedTool<Input, Result> {
  if (typeof relynt?.requestAction !== 'function' || typeof relynt.pollApproval !== 'function') {
    throw invalidTool('guardedTool needs a RelyntClient as its first argument.')
  }
  const name = checkToolName(options?.name)
  const description = checkDescription(name, options.description)
  const inputJson = inputJsonSchema(name, options.input)
  if (typeof options.action !== 'string' || options.action.trim() === '') {
    throw invalidTool(`${name}: action must be a non-empty string such as 'ralio.pay'.`)
  }
  for (const key of ['resource', 'execute'] as const) {
    if (typeof options[key] !== 'function')
      throw invalidTool(`${name}: ${key} must be a function of the input.`)
  }
  if (options.payload !== undefined && typeof options.payload !== 'function') {
    throw invalidTool(`${name}: payload must be a function of the input when given.`)
  }
  const mode = options.pending ?? 'wait'
  if (mode !== 'wait' && mode !== 'defer') throw invalidTool(`${name}: pending must be 'wait' or 'defer'.`)
  const approvalTimeoutMs = options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS
  if (!Number.isFinite(approvalTimeoutMs) || approvalTimeoutMs < 0) {
    throw invalidTool(`${name}: approvalTimeoutMs must be a finite number of milliseconds, 0 or more.`)
  }

  const pendingCalls = new Map<string, PendingCall<Input, Result>>()
  const calls = new RecentCalls<ToolOutcome<Result>>()

  const execute = async (
    call: PendingCall<Input, Result> | { input: Input; toolCallId: string; decision: ActionResult },
    approval: Approval | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ToolOutcome<Result>> => {
    const { decision } = call
    const authorization: ToolAuthorization = {
      receiptId: approval?.receiptId ?? decision.receiptId,
      idempotencyKey: decision.idempotencyKey,
    }
    const toolResponse = approval ? approval.toolResponse : decision.toolResponse
    if (approval) authorization.approvalId = approval.approvalId
    if (approval?.decidedBy) authorization.approvedBy = approval.decidedBy
    if (toolResponse !== undefined) authorization.toolResponse = toolResponse
    try {
      const result = await options.execute(call.input, { toolCallId: call.toolCallId, signal, authorization })
      return resultOutcome<Result>(result as Result, authorization)
    } catch (error) {
      return failedOutcome(error, signal, 'execute_failed', authorization.receiptId)
    }
  }

  /** The one place a decided approval turns into an outcome, memoised per call. */
  const settle = (
    call: PendingCall<Input, Result>,
    approval: Approval,
    signal: AbortSignal | undefined,
  ): Promise<ToolOutcome<Result>> => {
    call.settled ??= (async () => {
      if (approval.status === 'approved') return execute(call, approval, signal)
      return denied(call.decision, approval)
    })()
    // A failed execution stays recorded (it may have half-happened); an abort may be retried.
    call.settled.catch(() => {
      call.settled = undefined
    })
    return call.settled
  }

  const wait = async (
    call: PendingCall<Input, Result>,
    options: ToolCallOptions,
  ): Promise<ToolOutcome<Result>> => {
    const approvalId = call.decision.approvalId!
    const progress = (attempt: number) =>
      options.onProgress?.({
        kind: 'waiting_for_approval',
        approvalId,
        attempt,
        elapsedMs: Date.now() - call.startedAt,
        message: `Waiting for a person to approve ${name} (approval ${approvalId})`,
      })
    await progress(0)
    let approval: Approval
    try {
      approval = await relynt.pollApproval({
        approvalId,
        timeoutMs: approvalTimeoutMs,
        signal: options.signal,
        onPoll: async (status, attempt) => {
          if (status === 'pending') await progress(attempt)
        },
      })
    } catch (error) {
      if (ApprovalTimeoutError.isInstance(error)) return pendingOutcome(call.decision, true)
      return failedOutcome(error, options.signal, 'gateway_error')
    }
    return finalize(call, approval, options.signal)
  }

  const finalize = async (
    call: PendingCall<Input, Result>,
    approval: Approval,
    signal: AbortSignal | undefined,
  ): Promise<ToolOutcome<Result>> => {
    if (approval.status === 'pending') return pendingOutcome(call.decision, false)
    return settle(call, approval, signal)
  }

  const tool: GuardedTool<Input, Result> = {
    name,
    description,
    action: options.action,
    input: options.input,
    inputJsonSchema: inputJson,
    annotations: { openWorldHint: true, ...options.annotations },

    run(rawInput: unknown, call: ToolCallOptions = {}): Promise<ToolOutcome<Result>> {
      // A framework re-sending the same call gets the first answer: the payment is not made twice.
      if (call.toolCallId === undefined) return runCall(rawInput, call, crypto.randomUUID())
      return calls.once(call.toolCallId, () => runCall(rawInput, call, call.toolCallId!))
    },
    async finishApproval(approvalId: string, call: ToolCallOptions = {}) {
      const pendingCall = pendingCalls.get(approvalId)
      if (pendingCall === undefined) return undefined
      if (pendingCall.settled) return pendingCall.settled
      let approval: Approval
      try {
        approval = await relynt.approvals.get(approvalId, { signal: call.signal })
      } catch (error) {
        return failedOutcome(error, call.signal, 'gateway_error')
      }
      return finalize(pendingCall, approval, call.signal)
    },
  }

  return tool

  async function runCall(
    rawInput: unknown,
    call: ToolCallOptions,
    toolCallId: string,
  ): Promise<ToolOutcome<Result>> {
    const parsed = parseInput(name, options.input, rawInput)
    if (!parsed.ok) return parsed.outcome
    const input = parsed.input
    let request: { resource: string; payload: Record<string, unknown> }
    try {
      request = await gatewayRequest(name, options, input, toolCallId)
    } catch (error) {
      return failedOutcome(error, call.signal, 'invalid_request')
    }
    let decision: ActionResult
    try {
      decision = await relynt.requestAction({
        action: options.action,
        ...request,
        idempotencyKey: await toolCallKey(relynt.instanceId, name, toolCallId),
        signal: call.signal,
      })
    } catch (error) {
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    if (decision.decision === 'allow') return execute({ input, toolCallId, decision }, undefined, call.signal)
    if (decision.decision === 'pending_approval' && decision.approvalId !== undefined) {
      const pendingCall: PendingCall<Input, Result> = { input, toolCallId, decision, startedAt: Date.now() }
      pendingCalls.set(decision.approvalId, pendingCall)
      // Bounded like the recent calls: a session that leaves thousands of approvals open forgets the oldest.
      if (pendingCalls.size > MAX_PENDING_CALLS) pendingCalls.delete(pendingCalls.keys().next().value!)
      if (mode === 'defer') return pendingOutcome(decision, false)
      return wait(pendingCall, call)
    }
    return denied(decision, undefined)
  }
}

async function gatewayRequest<Input, Result>(
  name: string,
  options: GuardedToolOptions<Input, Result>,
  input: Input,
  toolCallId: string,
): Promise<{ resource: string; payload: Record<string, unknown> }> {
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
  return { resource, payload: { ...payload, tool_call_id: toolCallId } }
}

function pendingOutcome(decision: ActionResult, waited: boolean): PendingApprovalOutcome {
  const approvalId = decision.approvalId!
  const outcome: PendingApprovalOutcome = {
    status: 'pending_approval',
    approvalId,
    receiptId: decision.receiptId,
    message:
      `${waited ? 'Still waiting: no one has decided yet. ' : ''}A person must approve this first ` +
      `(approval ${approvalId}); nothing has been done. Call ${CHECK_APPROVAL_TOOL_NAME} with ` +
      `{ "approvalId": "${approvalId}" } later to finish it. Do not call this tool again for the same request.`,
  }
  if (decision.reason !== undefined) outcome.reason = decision.reason
  return outcome
}

function denied(decision: ActionResult, approval: Approval | undefined): DeniedOutcome {
  const outcome: DeniedOutcome = {
    status: 'denied',
    reason: deniedReason(decision, approval),
    receiptId: approval?.receiptId ?? decision.receiptId,
  }
  if (approval) outcome.approvalId = approval.approvalId
  if (approval?.decidedBy) outcome.decidedBy = approval.decidedBy
  return outcome
}

function deniedReason(decision: ActionResult, approval: Approval | undefined): string {
  if (approval?.status === 'denied') {
    return `A person (${approval.decidedBy ?? 'the approver'}) denied it${decision.reason ? ` (${decision.reason})` : ''}. Nothing was done.`
  }
  if (approval?.status === 'expired')
    return 'No one approved it before the approval expired. Nothing was done.'
  if (approval)
    return `The approval ended as "${approval.status}", which is not an approval. Nothing was done.`
  if (decision.decision === 'deny')
    return decision.reason ?? 'The policy does not allow this. Nothing was done.'
  // Fail closed: a decision this version does not know is not a yes.
  return `The gateway answered "${decision.decision}", which is not an allow. Nothing was done.`
}
