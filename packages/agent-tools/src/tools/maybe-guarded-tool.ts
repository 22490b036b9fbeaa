import type { AgentTool } from '../agent-tool.js'
import { defineTool } from '../define-tool.js'
import { type GuardClient, type GuardedToolOptions, guardedTool } from '../guarded-tool.js'

/** A guarded tool, or (only when the caller passed `unguarded: true`) the same tool run without asking. */
export function maybeGuardedTool<Input, Result>(
  relynt: GuardClient | undefined,
  options: GuardedToolOptions<Input, Result>,
): AgentTool<Input, Result> {
  if (relynt !== undefined) return guardedTool(relynt, options)
  return defineTool({
    name: options.name,
    description: options.description,
    input: options.input,
    output: options.output,
    annotations: { openWorldHint: true, ...options.annotations },
    execute: (input, context) => options.execute(input, { ...context, authorization: undefined }),
  })
}
