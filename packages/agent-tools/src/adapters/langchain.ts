// @x/agent-tools/langchain: the tools as LangChain (`@langchain/core`) structured tools.
import { ToolMessage } from '@langchain/core/messages'
import { type DynamicStructuredTool, tool } from '@langchain/core/tools'
import { type AgentTool, isErrorOutcome, type ToolOutcome, type ToolProgress } from '../agent-tool.js'

/** Options of {@link langChainTools}. */
export interface LangChainToolsOptions {
  /** Called while a guarded tool waits for a person (with the model's tool call id). */
  onProgress?: (progress: ToolProgress & { toolCallId: string; toolName: string }) => void | Promise<void>
}

/**
 * Structured tools for a LangChain chat model (`model.bindTools(tools)`), a LangGraph
 * `ToolNode` or `createAgent`:
 *
 * ```ts
 * const tools = langChainTools(createAgentTools({ ralio, relynt }))
 * const model = new ChatOpenAI({ model: 'gpt-5' }).bindTools(tools)
 * ```
 *
 * Invoked with the model's tool call, a tool answers a `ToolMessage` carrying that call's id
 * (which also goes into the gateway payload, so the receipt correlates with the run); denied,
 * failed and invalid-input outcomes have `status: 'error'`, and the outcome itself is the
 * message's `artifact`. Invoked with plain arguments, it returns the outcome. The run's
 * `signal` aborts the gateway call and the wait for approval. LangChain checks the arguments
 * against the tool's JSON Schema before the tool runs (a mismatch raises its
 * `ToolInputParsingException`, which LangGraph's `ToolNode` hands back to the model).
 */
export function langChainTools(
  tools: readonly AgentTool[],
  options: LangChainToolsOptions = {},
): DynamicStructuredTool[] {
  return tools.map(
    (agentTool) =>
      tool(
        async (input: unknown, config): Promise<ToolOutcome | ToolMessage> => {
          const callId = config?.toolCall?.id
          const toolCallId = callId ?? crypto.randomUUID()
          const outcome = await agentTool.run(input, {
            toolCallId,
            signal: config?.signal,
            onProgress: options.onProgress
              ? (progress) => options.onProgress?.({ ...progress, toolCallId, toolName: agentTool.name })
              : undefined,
          })
          if (callId === undefined) return outcome
          return new ToolMessage({
            content: JSON.stringify(outcome),
            artifact: outcome,
            tool_call_id: callId,
            name: agentTool.name,
            status: isErrorOutcome(outcome) ? 'error' : 'success',
          })
        },
        {
          name: agentTool.name,
          description: agentTool.description,
          schema: agentTool.inputJsonSchema,
        },
      ) as DynamicStructuredTool,
  )
}
