import type { AgentTool } from '../agent-tool.js'
import { CHECK_APPROVAL_TOOL_NAME } from '../guarded-tool.js'
import { UsageError } from './usage-error.js'

/**
 * The tools `x-mcp` serves: all of them, those named by `--tools`, and with `--read-only`
 * only those that change nothing. A guarded tool brings the approval check tool along, or a
 * call left pending could never be finished.
 */
export function selectTools(
  all: readonly AgentTool[],
  selection: { names: readonly string[] | undefined; readOnly: boolean },
): AgentTool[] {
  const byName = new Map(all.map((tool) => [tool.name, tool]))
  const available = () => [...byName.keys()].join(', ')
  let chosen = all.filter((tool) => selection.names === undefined || selection.names.includes(tool.name))
  for (const name of selection.names ?? []) {
    if (!byName.has(name))
      throw new UsageError(`--tools: there is no tool ${JSON.stringify(name)}; choose from ${available()}.`)
  }
  if (selection.readOnly) {
    const writing = chosen.filter((tool) => tool.annotations.readOnlyHint !== true).map((tool) => tool.name)
    if (selection.names !== undefined && writing.length > 0) {
      throw new UsageError(`--read-only: ${writing.join(', ')} can change things; leave them out of --tools.`)
    }
    chosen = chosen.filter((tool) => tool.annotations.readOnlyHint === true)
  }
  const check = byName.get(CHECK_APPROVAL_TOOL_NAME)
  const guarded = chosen.some((tool) => 'finishApproval' in tool)
  if (check !== undefined && guarded && !chosen.includes(check)) chosen.push(check)
  if (chosen.length === 0) throw new UsageError('No tool left to serve: check --tools and --read-only.')
  return chosen
}
