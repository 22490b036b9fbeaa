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
import {
  DEFAULT_PENDING_CALL_TTL_MS,
  MemoryPendingCallStore,
  type PendingCall,
  type PendingCallStore,
} from './pending-call-store.js'
import { PendingCalls } from './pending-calls.js'
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
  /** The fields the policy reads (`amount`, `stage`…). `tool_call_id` is added to it unless `payloadToolCallId` is false. */
  payload?: (input: Input) => Record<string, unknown>
  /**
   * Whether the payload carries the call's `tool_call_id` (default true). `false` sends exactly
   * what `payload(input)` returns, so anyone holding the executed result can recompute the
   * receipt's request hash (`ralio_pay` does, so payments can be reconciled); the idempotency key
   * is derived from the tool call id either way.
   */
  payloadToolCallId?: boolean
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
  /**
   * How long `'wait'` waits for a person before answering `pending_approval`. Default 40 000
   * (40 s): inside the 60 s an MCP client gives a call by default, so the model still learns
   * the approval id.
   */
  approvalTimeoutMs?: number
  /**
   * Where calls left pending are kept for the approval check tool. Default: in memory, this
   * process only. Share a Redis store between replicas so any of them finishes a call.
   */
  pendingCalls?: PendingCallStore
  /** How long a pending call is kept. Default 24 h (the gateway does not say when an approval expires). */
  pendingCallTtlMs?: number
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

/** The default wait for a person: answers before an MCP client's 60 s request timeout. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 40_000

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

  const pendingCallTtlMs = options.pendingCallTtlMs ?? DEFAULT_PENDING_CALL_TTL_MS
  if (!Number.isFinite(pendingCallTtlMs) || pendingCallTtlMs <= 0) {
    throw invalidTool(`${name}: pendingCallTtlMs must be a positive number of milliseconds.`)
  }
  const pendingCalls = new PendingCalls(
    options.pendingCalls ?? new MemoryPendingCallStore(),
    pendingCallTtlMs,
  )
  const calls = new RecentCalls<ToolOutcome<Result>>()

  const execute = async (
    call: { input: Input; toolCallId: string; decision: ActionResult },
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

  /**
   * The one place a decided approval turns into an outcome: once per approval across every
   * process sharing the store, which keeps the outcome for whoever asks again.
   */
  const settle = async (
    pending: PendingCall,
    approval: Approval,
    signal: AbortSignal | undefined,
  ): Promise<ToolOutcome<Result>> => {
    const call = {
      input: pending.input as Input,
      toolCallId: pending.toolCallId,
      decision: decisionOf(pending),
    }
    try {
      return (await pendingCalls.finish(pending, async () => {
        if (approval.status === 'approved') return execute(call, approval, signal)
        return denied(call.decision, approval)
      })) as ToolOutcome<Result>
    } catch (error) {
      return failedOutcome(error, signal, 'store_unavailable')
    }
  }

  const wait = async (pending: PendingCall, options: ToolCallOptions): Promise<ToolOutcome<Result>> => {
    const { approvalId } = pending
    const startedAt = Date.now()
    const progress = (attempt: number) =>
      options.onProgress?.({
        kind: 'waiting_for_approval',
        approvalId,
        attempt,
        elapsedMs: Date.now() - startedAt,
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
      if (ApprovalTimeoutError.isInstance(error)) return pendingOutcome(decisionOf(pending), name, 'waited')
      return failedOutcome(error, options.signal, 'gateway_error')
    }
    return finalize(pending, approval, options.signal, 'waited')
  }

  const finalize = async (
    pending: PendingCall,
    approval: Approval,
    signal: AbortSignal | undefined,
    asked: PendingAsk,
  ): Promise<ToolOutcome<Result>> => {
    if (approval.status === 'pending') return pendingOutcome(decisionOf(pending), name, asked)
    return settle(pending, approval, signal)
  }

  const tool: GuardedTool<Input, Result> = {
    name,
    description,
    action: options.action,
    input: options.input,
    inputJsonSchema: inputJson,
    annotations: { openWorldHint: true, ...options.annotations },

    run(rawInput: unknown, call: ToolCallOptions = {}): Promise<ToolOutcome<Result>> {
      // The session scopes call ids: two sessions that both say `call_1` are two calls.
      const sessionId = call.sessionId ?? relynt.instanceId
      // A framework re-sending the same call gets the first answer: the payment is not made twice.
      if (call.toolCallId === undefined) return runCall(rawInput, call, sessionId, crypto.randomUUID())
      return calls.once(`${sessionId}\n${call.toolCallId}`, () =>
        runCall(rawInput, call, sessionId, call.toolCallId!),
      )
    },
    async finishApproval(approvalId: string, call: ToolCallOptions = {}) {
      let pending: PendingCall | undefined
      try {
        pending = await pendingCalls.find(approvalId, name)
      } catch (error) {
        return failedOutcome(error, call.signal, 'store_unavailable')
      }
      if (pending === undefined) return undefined
      if (pending.outcome !== undefined) return pending.outcome as ToolOutcome<Result>
      // The store is outside this process: what runs is re-checked against the tool's schema.
      const parsed = parseInput(name, options.input, pending.input)
      if (!parsed.ok) return parsed.outcome
      pending.input = parsed.input
      let approval: Approval
      try {
        approval = await relynt.approvals.get(approvalId, { signal: call.signal })
      } catch (error) {
        return failedOutcome(error, call.signal, 'gateway_error')
      }
      return finalize(pending, approval, call.signal, 'checked')
    },
  }

  return tool

  async function runCall(
    rawInput: unknown,
    call: ToolCallOptions,
    sessionId: string,
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
        idempotencyKey: await toolCallKey(sessionId, name, toolCallId),
        signal: call.signal,
      })
    } catch (error) {
      return failedOutcome(error, call.signal, 'gateway_error')
    }
    if (decision.decision === 'allow') return execute({ input, toolCallId, decision }, undefined, call.signal)
    if (decision.decision === 'pending_approval' && decision.approvalId !== undefined) {
      let pending: PendingCall
      try {
        pending = await recordPending(decision, decision.approvalId, input, sessionId, toolCallId)
      } catch (error) {
        return failedOutcome(error, call.signal, 'store_unavailable')
      }
      if (pending.outcome !== undefined) return pending.outcome as ToolOutcome<Result>
      if (mode === 'defer') return pendingOutcome(decision, name, 'first')
      return wait(pending, call)
    }
    return denied(decision, undefined)
  }

  /**
   * Saves the call before anyone waits on it, so a wait the client cancels or outlives is
   * still finishable. The same call sent again (same session and call id, so the same key and
   * the gateway's same approval) finds the one already saved.
   */
  async function recordPending(
    decision: ActionResult,
    approvalId: string,
    input: Input,
    sessionId: string,
    toolCallId: string,
  ): Promise<PendingCall> {
    const existing = await pendingCalls.find(approvalId, name)
    if (existing !== undefined) return existing
    const pending: PendingCall = {
      approvalId,
      toolName: name,
      input,
      idempotencyKey: decision.idempotencyKey,
      sessionId,
      toolCallId,
      receiptId: decision.receiptId,
      createdAt: Date.now(),
    }
    if (decision.reason !== undefined) pending.reason = decision.reason
    await pendingCalls.record(pending)
    return pending
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
  return {
    resource,
    payload: options.payloadToolCallId === false ? payload : { ...payload, tool_call_id: toolCallId },
  }
}

/** Who is told the call is still pending: its first answer, after a wait, or the check tool's. */
type PendingAsk = 'first' | 'waited' | 'checked'

/** How long the model is told to wait before checking again. */
const CHECK_AGAIN_AFTER_SECONDS = 30

function pendingOutcome(decision: ActionResult, toolName: string, asked: PendingAsk): PendingApprovalOutcome {
  const approvalId = decision.approvalId!
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
    receiptId: decision.receiptId,
    checkAgainAfterSeconds: CHECK_AGAIN_AFTER_SECONDS,
    message,
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
