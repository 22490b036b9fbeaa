import * as z from 'zod/mini'
import type { AgentTool, ToolCallOptions, ToolOutcome } from './agent-tool.js'
import { invalidTool } from './errors.js'
import { CHECK_APPROVAL_TOOL_NAME, type GuardedTool } from './guarded-tool.js'
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
  return {
    name: CHECK_APPROVAL_TOOL_NAME,
    description:
      'Finish a tool call that returned status "pending_approval": checks whether the person approved it and, if so, ' +
      'carries out the original request exactly once and returns its result. Takes only the approvalId. ' +
      'If it is still pending, call it again later (the result says how long to wait).',
    input: checkInput,
    inputJsonSchema: inputJsonSchema(CHECK_APPROVAL_TOOL_NAME, checkInput),
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
