import type { RelyntClient } from '@x/relynt'
import type { $ZodType } from 'zod/v4/core'
import type { ToolAnnotations } from './agent-tool.js'
import type { ExecuteContext } from './define-tool.js'
import type { ObservedEffect } from './observed-effect.js'
import type { ToolOutputSpec } from './outcome-schema.js'
import type { PendingCallStore } from './pending-call-store.js'

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
  /** What `execute` returns (the `result` schema, or the observed effects it reports), for the output schema. */
  output?: ToolOutputSpec
  annotations?: ToolAnnotations
}
