import * as z from 'zod/mini'
import type { $ZodType } from 'zod/v4/core'
import type { AgentTool, ToolCallOptions, ToolOutcome } from './agent-tool.js'
import { invalidTool } from './errors.js'
import { CHECK_APPROVAL_TOOL_NAME, type GuardedTool } from './guarded-tool.js'
import { type OutcomeSchema, outcomeSchema } from './outcome-schema.js'
import { inputJsonSchema, parseInput } from './tool-input.js'

const checkInput = z.object({
  approvalId: z
    .string()
    .check(z.minLength(1), z.describe('The approvalId of a pending_approval result of another tool.')),
})

/**
 * The companion of guarded tools: finishes a call they left `pending_approval`, from the
 * approval id alone. It checks the approval once; if a person approved, the original call
 * runs with its original input (the model cannot change it), exactly once however often and
 * wherever it is asked, and its result comes back; if not yet decided, it says when to ask
 * again. It knows the calls of the tools it is given that are in their pending-call store:
 * made in this process, or in any process sharing the store (Redis).
 */
export function approvalCheckTool(tools: readonly GuardedTool[]): AgentTool<{ approvalId: string }, unknown> {
  if (!Array.isArray(tools) || tools.some((tool) => typeof tool?.finishApproval !== 'function')) {
    throw invalidTool('approvalCheckTool needs the guarded tools whose approvals it finishes.')
  }
  const output = checkOutcomeSchema(tools)
  return {
    name: CHECK_APPROVAL_TOOL_NAME,
    description:
      'Finish a tool call that returned status "pending_approval": checks whether the person approved it and, if so, ' +
      'carries out the original request exactly once and returns its result. Takes only the approvalId. ' +
      'If it is still pending, call it again later (the result says how long to wait).',
    input: checkInput,
    inputJsonSchema: inputJsonSchema(CHECK_APPROVAL_TOOL_NAME, checkInput),
    output: output.zod,
    outputJsonSchema: output.json,
    annotations: { title: 'Check a pending approval', openWorldHint: true },
    async run(rawInput: unknown, call: ToolCallOptions = {}): Promise<ToolOutcome> {
      const parsed = parseInput(CHECK_APPROVAL_TOOL_NAME, checkInput, rawInput)
      if (!parsed.ok) return parsed.outcome
      const { approvalId } = parsed.input
      for (const tool of tools) {
        const outcome = await tool.finishApproval(approvalId, call)
        if (outcome !== undefined) return outcome
      }
      return {
        status: 'failed',
        error: {
          code: 'unknown_approval',
          message:
            `No call of these tools is waiting on approval ${approvalId}: nothing was done. Use the approvalId ` +
            'of a pending_approval result exactly as it was returned; if it is older than a day or this server ' +
            'keeps pending calls in memory and restarted, make the request again.',
        },
      }
    },
  }
}

/** The check tool answers with the outcome of the call it finishes: any outcome of the tools it finishes. */
function checkOutcomeSchema(tools: readonly GuardedTool[]): OutcomeSchema {
  const statuses = new Set<string>()
  const fields: Record<string, $ZodType> = {}
  for (const tool of tools) {
    const { shape } = (tool.output as z.ZodMiniObject).def
    Object.assign(fields, shape)
    const status = shape.status as z.ZodMiniType
    // A tool with an open status (no declared output) leaves the check tool's open too.
    if (!('options' in status)) return outcomeSchema(CHECK_APPROVAL_TOOL_NAME, true)
    for (const option of (status as z.ZodMiniEnum).options) statuses.add(String(option))
  }
  const { status: _status, result, ...effectFields } = fields
  return outcomeSchema(CHECK_APPROVAL_TOOL_NAME, true, {
    result: result ?? z.unknown(),
    effects: { statuses: [...statuses], fields: effectFields },
  })
}
