import type { $ZodType } from 'zod/v4/core'
import type { ObservedEffect } from './observed-effect.js'

/** A JSON Schema for a tool's input: always an object schema. */
export interface JsonObjectSchema {
  type: 'object'
  properties: Record<string, unknown>
  required?: string[]
  additionalProperties?: boolean | Record<string, unknown>
  [keyword: string]: unknown
}

/** Hints for hosts that show or confirm tool calls (MCP tool annotations). */
export interface ToolAnnotations {
  title?: string
  /** The tool changes nothing. */
  readOnlyHint?: boolean
  /** The tool may do something that cannot be undone (a payment). */
  destructiveHint?: boolean
  /** Calling it again with the same input has no further effect. */
  idempotentHint?: boolean
  /** The tool reaches a service outside the host. */
  openWorldHint?: boolean
}

/** What a guarded tool reports while it waits for a person to decide. */
export interface ToolProgress {
  kind: 'waiting_for_approval'
  approvalId: string
  /** 0 when the gateway first asked for approval, then one more per status check. */
  attempt: number
  elapsedMs: number
  message: string
}

/** How the framework calls a tool. */
export interface ToolCallOptions {
  /**
   * The framework's id of this tool call. It goes into the gateway payload (`tool_call_id`)
   * so receipts correlate with the agent's run, and the idempotency key is derived from it,
   * so a retried call is decided (and executed) once. A random id when omitted.
   */
  toolCallId?: string
  /**
   * The conversation or connection the call belongs to (an MCP session). Call ids are scoped
   * to it: the same `toolCallId` in two sessions is two calls. Default: the Relynt client's
   * instance id (one agent run).
   */
  sessionId?: string
  /** Aborts the gateway call, the wait for approval and the tool's own work. */
  signal?: AbortSignal
  /** Called while the tool waits for an approval. */
  onProgress?: (progress: ToolProgress) => void | Promise<void>
}

/** A message for the model: what went wrong and what it can do about it. */
export interface ToolError {
  /** Stable and machine-readable: `gateway_error`, `execute_failed`, `unknown_approval`, an SDK error's code… */
  code: string
  message: string
}

/** A guarded tool ran: the gateway allowed it (at once, or after a person approved). */
export interface AllowedOutcome<Result> {
  status: 'allowed'
  result: Result
  /** The receipt of the allow decision: after an approval, the approval's final receipt. */
  receiptId: string
  approvalId?: string
  /** Who approved, when a person did. */
  approvedBy?: string
}

/** A tool that needs no authorisation (read-only, or built with `unguarded: true`) ran. */
export interface OkOutcome<Result> {
  status: 'ok'
  result: Result
}

/** The gateway refused (or the person refused, or the approval expired): nothing was executed. */
export interface DeniedOutcome {
  status: 'denied'
  /** Who refused: the `policy`, a `person`, nobody before the approval `expired`, or an answer this version does not know (`unknown`). */
  deniedBy: 'policy' | 'person' | 'expired' | 'unknown'
  /** What was decided, that nothing was done, and what to do next. */
  reason: string
  receiptId: string
  approvalId?: string
  decidedBy?: string
  /** What the person who denied it wrote, when they did. */
  decisionReason?: string
}

/** A person has to decide first; nothing was executed yet. */
export interface PendingApprovalOutcome {
  status: 'pending_approval'
  approvalId: string
  receiptId: string
  reason?: string
  /** How long to wait before asking the approval check tool again. */
  checkAgainAfterSeconds: number
  /** Tells the model how to finish the call later (the approval check tool). */
  message: string
}

/** The model's input did not match the tool's schema; nothing was sent anywhere. */
export interface InvalidInputOutcome {
  status: 'invalid_input'
  message: string
  issues: Array<{ path: string; message: string }>
}

/**
 * Something failed: the gateway or the service could not be reached, the tool's work threw,
 * or a person approved but the gateway's connector then failed (`error.code` is the
 * gateway's, e.g. `connector_error`; the tool's work did not run).
 */
export interface FailedOutcome {
  status: 'failed'
  error: ToolError
  /** Set when the action had been authorised (or decided) before the failure. */
  receiptId?: string
  approvalId?: string
  approvedBy?: string
}

/**
 * A tool's work reported what the system that acted observed (its `execute` returned an
 * {@link ObservedEffect}): the status says what happened (`paid`, `not_executed`, `mismatch`…),
 * the observed fields are spread in, and `isError` says whether the model must read it as a
 * failure. A guarded tool adds the authorisation it ran under.
 */
export type ObservedOutcome<
  Status extends string = string,
  Fields extends object = Record<string, unknown>,
> = Fields & {
  status: Status
  /** One line for the model: what happened, whether anything was done, the next useful call. */
  message: string
  /** True when the work was not done as authorised: adapters mark the result as an error. */
  isError: boolean
  /** The receipt of the allow decision; set on every outcome of a guarded tool. */
  receiptId?: string
  approvalId?: string
  /** Who approved, when a person did. */
  approvedBy?: string
}

/**
 * The outcome of a tool's work that ran: `allowed` (guarded) or `ok` (unguarded) with the
 * result, or an {@link ObservedOutcome} when the work returned an {@link ObservedEffect}. For a
 * tool of unknown result (an `AgentTool` in a list), any of them.
 */
export type ResultOutcome<Result> =
  Result extends ObservedEffect<infer Status, infer Fields>
    ? ObservedOutcome<Status, Fields>
    : Result extends object | string | number | boolean | bigint | symbol | null | undefined
      ? AllowedOutcome<Result> | OkOutcome<Result>
      : AllowedOutcome<unknown> | OkOutcome<unknown> | ObservedOutcome

/**
 * What a tool call returns to the model. Every outcome is data the model can read, never an
 * exception; only aborting the call's signal rejects.
 */
export type ToolOutcome<Result = unknown> =
  | ResultOutcome<Result>
  | DeniedOutcome
  | PendingApprovalOutcome
  | InvalidInputOutcome
  | FailedOutcome

/** A framework-neutral tool; the adapters turn it into an AI SDK, OpenAI Agents or MCP tool. */
export interface AgentTool<Input = unknown, Result = unknown> {
  readonly name: string
  readonly description: string
  /** The zod schema of the input. */
  readonly input: $ZodType<Input>
  /** The same, as JSON Schema (derived from `input`). */
  readonly inputJsonSchema: JsonObjectSchema
  /** The zod schema of every outcome this tool answers (an object: `status` and the outcomes' fields). */
  readonly output: $ZodType
  /** The same, as JSON Schema: the MCP `outputSchema`, which `structuredContent` matches. */
  readonly outputJsonSchema: JsonObjectSchema
  readonly annotations: ToolAnnotations
  /** Validates `input`, then runs the tool. */
  run(input: unknown, options?: ToolCallOptions): Promise<ToolOutcome<Result>>
}

/** True for the outcome of work that reported what it observed (its own status, `isError`, `message`). */
export function isObservedOutcome(outcome: ToolOutcome): outcome is ObservedOutcome {
  return 'isError' in outcome && typeof outcome.isError === 'boolean'
}

const ERROR_STATUSES: ReadonlySet<string> = new Set(['denied', 'invalid_input', 'failed'])

/**
 * True for the outcomes a framework should mark as an error result: denied, invalid input,
 * failed, and an observed effect that says so (`not_executed`, `mismatch`…).
 */
export function isErrorOutcome(outcome: ToolOutcome): boolean {
  if (isObservedOutcome(outcome)) return outcome.isError
  return ERROR_STATUSES.has(outcome.status)
}
