import type { AgentTool, JsonObjectSchema, ToolCallOptions, ToolOutcome } from './agent-tool.js'
import { invalidTool } from './errors.js'
import { GuardedCalls } from './guarded-calls.js'
import type { GuardClient, GuardedToolOptions } from './guarded-tool-options.js'
import { outcomeSchema } from './outcome-schema.js'
import { DEFAULT_PENDING_CALL_TTL_MS, MemoryPendingCallStore } from './pending-call-store.js'
import { PendingCalls } from './pending-calls.js'
import { checkDescription, checkToolName, inputJsonSchema } from './tool-input.js'

export type {
  GuardClient,
  GuardedExecuteContext,
  GuardedToolOptions,
  ToolAuthorization,
} from './guarded-tool-options.js'
export { CHECK_APPROVAL_TOOL_NAME } from './verdict-outcome.js'

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
 * `pending_approval` for the approval check tool to finish later (from the pending-call store,
 * so in another process too when the store is shared). The gateway's answer is
 * read by Relynt's `interpretDecision`, as `guard()` reads it: an approval whose connector
 * failed is `failed` and `execute` does not run.
 */
export function guardedTool<Input, Result>(
  relynt: GuardClient,
  options: GuardedToolOptions<Input, Result>,
): GuardedTool<Input, Result> {
  const checked = checkGuardedToolOptions(relynt, options)
  const pendingCalls = new PendingCalls(
    options.pendingCalls ?? new MemoryPendingCallStore(),
    checked.pendingCallTtlMs,
  )
  const calls = new GuardedCalls(relynt, { ...options, name: checked.name }, { ...checked, pendingCalls })
  const output = outcomeSchema(checked.name, true, options.output)
  return {
    name: checked.name,
    description: checked.description,
    action: options.action,
    input: options.input,
    inputJsonSchema: checked.inputJsonSchema,
    output: output.zod,
    outputJsonSchema: output.json,
    annotations: { openWorldHint: true, ...options.annotations },
    run: (rawInput, call = {}) => calls.run(rawInput, call),
    finishApproval: (approvalId, call = {}) => calls.finish(approvalId, call),
  }
}

/** The options, checked once when the tool is built: a wrong one is a programming error, thrown. */
function checkGuardedToolOptions<Input, Result>(
  relynt: GuardClient,
  options: GuardedToolOptions<Input, Result>,
): {
  name: string
  description: string
  inputJsonSchema: JsonObjectSchema
  mode: 'wait' | 'defer'
  approvalTimeoutMs: number
  pendingCallTtlMs: number
} {
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
  return { name, description, inputJsonSchema: inputJson, mode, approvalTimeoutMs, pendingCallTtlMs }
}
