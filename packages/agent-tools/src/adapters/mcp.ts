// @x/agent-tools/mcp: the tools on a Model Context Protocol server (`@modelcontextprotocol/sdk`).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { type AgentTool, isErrorOutcome, type ToolOutcome, type ToolProgress } from '../agent-tool.js'
import { CHECK_APPROVAL_TOOL_NAME } from '../guarded-tool.js'
import { VERSION } from '../version.js'

/** Options of {@link registerMcpTools}: what the host operator hears about calls. */
export interface McpToolsOptions {
  /** Called while a guarded tool waits for a person, whether or not the client asked for progress. */
  onProgress?: (progress: ToolProgress & { toolName: string }) => void
  /** Called with every call's outcome (not for a call the client cancelled). */
  onOutcome?: (outcome: ToolOutcome, toolName: string) => void
  /** Called once a call the client cancelled has stopped (its wait ended, nothing more will run). */
  onCancelled?: (toolName: string) => void
}

/** Options of {@link createMcpServer}: the tools' options and how the server introduces itself. */
export interface McpServerOptions extends McpToolsOptions {
  /** The server name hosts show. Default `x-agent-tools`. */
  name?: string
  /** Default this package's version. */
  version?: string
  /**
   * What the host tells the model about this server. Default: when the approval check tool is
   * among the tools, how a `pending_approval` call is finished with it.
   */
  instructions?: string
}

/** The server instructions when the approval check tool is offered: the pending → check flow. */
export const PENDING_APPROVAL_INSTRUCTIONS =
  'Some tool calls need a person to approve them first. Such a call may wait for the person for a while, ' +
  'then answer with status "pending_approval" and an approvalId: nothing has been done yet. Do not repeat ' +
  `the call (that would ask the person a second time). Instead call ${CHECK_APPROVAL_TOOL_NAME} with ` +
  '{ "approvalId": "<the id>" } after the number of seconds the result gives in checkAgainAfterSeconds: it ' +
  'returns the final result once the person decided (the call is then carried out exactly once), or ' +
  '"pending_approval" again, in which case check again later. A result with isError true was not done.'

/**
 * An `McpServer` offering `tools`; connect it to any transport:
 *
 * ```ts
 * const server = createMcpServer(createAgentTools({ ralio, relynt }))
 * await server.connect(new StdioServerTransport())
 * ```
 */
export function createMcpServer(tools: readonly AgentTool[], options: McpServerOptions = {}): McpServer {
  const instructions =
    options.instructions ??
    (tools.some((tool) => tool.name === CHECK_APPROVAL_TOOL_NAME) ? PENDING_APPROVAL_INSTRUCTIONS : undefined)
  const server = new McpServer(
    { name: options.name ?? 'x-agent-tools', version: options.version ?? VERSION },
    { capabilities: { tools: {} }, ...(instructions === undefined ? {} : { instructions }) },
  )
  registerMcpTools(server, tools, options)
  return server
}

/**
 * Registers `tools` on an existing `McpServer`, with their annotations (`readOnlyHint` on the
 * lists, `destructiveHint` on payments). While a guarded tool waits for a person it sends
 * progress notifications (when the client asked for them with a progress token); a client
 * cancelling the call aborts the wait, nothing is executed, and the call stays finishable with
 * the approval check tool. Tool call ids (`_meta.toolCallId`) are scoped to the MCP session, so
 * two sessions that send the same id make two calls, and a session re-sending one finds its
 * first call (and its approval) again.
 */
export function registerMcpTools(
  server: McpServer,
  tools: readonly AgentTool[],
  options: McpToolsOptions = {},
): void {
  // stdio has no session id: one server is one session.
  const serverSession = crypto.randomUUID()
  for (const agentTool of tools) {
    server.registerTool(
      agentTool.name,
      {
        title: agentTool.annotations.title,
        description: agentTool.description,
        inputSchema: agentTool.input,
        outputSchema: agentTool.output,
        annotations: agentTool.annotations,
      },
      async (input: unknown, extra): Promise<CallToolResult> => {
        const progressToken = extra._meta?.progressToken
        let outcome: ToolOutcome
        try {
          outcome = await agentTool.run(input, {
            toolCallId: hostToolCallId(extra._meta) ?? `mcp-${crypto.randomUUID()}`,
            sessionId: `mcp:${extra.sessionId ?? serverSession}`,
            signal: extra.signal,
            onProgress: async (progress) => {
              options.onProgress?.({ ...progress, toolName: agentTool.name })
              if (progressToken === undefined) return
              await extra.sendNotification({
                method: 'notifications/progress',
                // The first report is attempt 0; MCP wants progress to grow from there.
                params: { progressToken, progress: progress.attempt + 1, message: progress.message },
              })
            },
          })
        } catch (error) {
          if (extra.signal.aborted) options.onCancelled?.(agentTool.name)
          throw error
        }
        options.onOutcome?.(outcome, agentTool.name)
        return toCallToolResult(outcome)
      },
    )
  }
}

/** The outcome as text for every host, as structured content for those that read it, and flagged when it is an error. */
export function toCallToolResult(outcome: ToolOutcome): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(outcome) }],
    structuredContent: outcome as unknown as Record<string, unknown>,
    isError: isErrorOutcome(outcome),
  }
}

/** Some hosts name the model's tool call in the request's `_meta`; use it when they do. */
function hostToolCallId(meta: Record<string, unknown> | undefined): string | undefined {
  const id = meta?.toolCallId
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined
}
