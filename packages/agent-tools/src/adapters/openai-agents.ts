// @x/agent-tools/openai-agents: the tools as OpenAI Agents SDK (`@openai/agents`) function tools.
import { type FunctionTool, tool } from '@openai/agents'
import type { AgentTool, ToolOutcome, ToolProgress } from '../agent-tool.js'

/** Options of {@link openAIAgentsTools}. */
export interface OpenAIAgentsToolsOptions {
  /** Called while a guarded tool waits for a person (with the model's call id). */
  onProgress?: (progress: ToolProgress & { toolCallId: string; toolName: string }) => void | Promise<void>
}

/** The parameters type of a non-strict function tool: the JSON Schema is the tool's own, and the model may send more. */
export type NonStrictParameters = {
  type: 'object'
  properties: Record<string, never>
  required: never[]
  additionalProperties: true
}

/**
 * Function tools for an OpenAI Agents SDK `Agent`:
 *
 * ```ts
 * const agent = new Agent({ name: 'Payments', tools: openAIAgentsTools(createAgentTools({ ralio, relynt })) })
 * ```
 *
 * Each call's `callId` correlates it with its receipt and the run's abort signal aborts the
 * gateway call and the wait for approval. The tools are not in strict mode: their input is
 * checked by the tool itself, which answers a mismatch with a result the model can fix.
 */
export function openAIAgentsTools(
  tools: readonly AgentTool[],
  options: OpenAIAgentsToolsOptions = {},
): FunctionTool<unknown, NonStrictParameters, ToolOutcome>[] {
  return tools.map((agentTool) =>
    tool({
      name: agentTool.name,
      description: agentTool.description,
      parameters: {
        ...agentTool.inputJsonSchema,
        additionalProperties: true,
      } as unknown as NonStrictParameters,
      strict: false,
      async execute(input, _runContext, details): Promise<ToolOutcome> {
        const toolCallId = details?.toolCall?.callId ?? crypto.randomUUID()
        return agentTool.run(input, {
          toolCallId,
          signal: details?.signal,
          onProgress: options.onProgress
            ? (progress) => options.onProgress?.({ ...progress, toolCallId, toolName: agentTool.name })
            : undefined,
        })
      },
    }),
  )
}
