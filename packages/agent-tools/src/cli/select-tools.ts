import { CHECK_APPROVAL_TOOL_NAME } from '../guarded-tool.js'
import {
  AGENT_TOOL_NAMES,
  type AgentToolName,
  READ_ONLY_AGENT_TOOL_NAMES,
} from '../tools/create-agent-tools.js'
import { UsageError } from './usage-error.js'

/**
 * The tools `x-mcp` asks `createAgentTools` for: the default set, those named by `--tools`,
 * and with `--read-only` only those that change nothing. `relynt_check_approval` comes with
 * any guarded tool, so naming it is allowed and changes nothing.
 */
export function selectTools(selection: {
  names: readonly string[] | undefined
  readOnly: boolean
}): readonly AgentToolName[] | undefined {
  const known = AGENT_TOOL_NAMES as readonly string[]
  const names = selection.names?.filter((name) => name !== CHECK_APPROVAL_TOOL_NAME)
  for (const name of names ?? []) {
    if (!known.includes(name)) {
      throw new UsageError(
        `--tools: there is no tool ${JSON.stringify(name)}; choose from ${known.join(', ')}.`,
      )
    }
  }
  if (!selection.readOnly) return names as AgentToolName[] | undefined
  if (names === undefined) return READ_ONLY_AGENT_TOOL_NAMES
  const writing = names.filter((name) => !(READ_ONLY_AGENT_TOOL_NAMES as readonly string[]).includes(name))
  if (writing.length > 0) {
    throw new UsageError(`--read-only: ${writing.join(', ')} can change things; leave them out of --tools.`)
  }
  return names as AgentToolName[]
}
