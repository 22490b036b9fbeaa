import { SdkError } from '@x/core'

/**
 * Base of every error `@x/agent-tools` throws: a tool defined or configured wrongly
 * (`code` `invalid_argument`, `unguarded_tools`), or the MCP server command failing to start.
 * What happens while a tool runs is a tool result, never an exception.
 */
export class AgentToolsError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.AgentToolsError')
}

export function invalidTool(message: string): AgentToolsError {
  return new AgentToolsError(message, { code: 'invalid_argument' })
}
