// @x/agent-tools/ai: the tools as Vercel AI SDK (`ai` v7) tools.
import { type JSONSchema7, type JSONValue, jsonSchema, type Tool, tool } from 'ai'
import { type AgentTool, isErrorOutcome, type ToolOutcome, type ToolProgress } from '../agent-tool.js'

/** Options of {@link aiSdkTools}. */
export interface AiSdkToolsOptions {
  /** Called while a guarded tool waits for a person (with the AI SDK's tool call id). */
  onProgress?: (progress: ToolProgress & { toolCallId: string; toolName: string }) => void | Promise<void>
}

/**
 * A `ToolSet` for `generateText`, `streamText` or `ToolLoopAgent`, keyed by tool name:
 *
 * ```ts
 * const result = await generateText({ model, tools: aiSdkTools(createAgentTools({ ralio, relynt })), prompt })
 * ```
 *
 * The AI SDK's `toolCallId` correlates each call with its receipt, its `abortSignal` aborts the
 * gateway call and the wait for approval, and denied, failed and invalid-input outcomes reach
 * the model as error results.
 */
export function aiSdkTools(
  tools: readonly AgentTool[],
  options: AiSdkToolsOptions = {},
): Record<string, Tool<unknown, ToolOutcome>> {
  const toolSet: Record<string, Tool<unknown, ToolOutcome>> = {}
  for (const agentTool of tools) {
    toolSet[agentTool.name] = tool({
      description: agentTool.description,
      // No validate here: the tool checks its input itself and answers a mismatch with a result the model can fix.
      inputSchema: jsonSchema<unknown>(agentTool.inputJsonSchema as JSONSchema7),
      outputSchema: jsonSchema<ToolOutcome>(agentTool.outputJsonSchema as JSONSchema7),
      execute: (input: unknown, { toolCallId, abortSignal }): Promise<ToolOutcome> =>
        agentTool.run(input, {
          toolCallId,
          signal: abortSignal,
          onProgress: options.onProgress
            ? (progress) => options.onProgress?.({ ...progress, toolCallId, toolName: agentTool.name })
            : undefined,
        }),
      toModelOutput: ({ output }: { output: ToolOutcome }) =>
        isErrorOutcome(output)
          ? { type: 'error-json', value: toJson(output) }
          : { type: 'json', value: toJson(output) },
    })
  }
  return toolSet
}

/** Outcomes are plain data already; the round trip drops undefined fields and types them as JSON. */
function toJson(outcome: ToolOutcome): JSONValue {
  return JSON.parse(JSON.stringify(outcome)) as JSONValue
}
