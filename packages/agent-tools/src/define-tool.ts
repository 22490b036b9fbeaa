import type { $ZodType } from 'zod/v4/core'
import type { AgentTool, ToolAnnotations, ToolCallOptions, ToolOutcome } from './agent-tool.js'
import { invalidTool } from './errors.js'
import type { ObservedEffect } from './observed-effect.js'
import { outcomeSchema, type ToolOutputSpec } from './outcome-schema.js'
import { resultOutcome } from './result-outcome.js'
import { failedOutcome } from './tool-failure.js'
import { checkDescription, checkToolName, inputJsonSchema, parseInput } from './tool-input.js'

/** What a tool's `execute` receives besides its input. */
export interface ExecuteContext {
  /** The framework's id of this call (or a random one). */
  toolCallId: string
  signal?: AbortSignal
}

/** What {@link defineTool} needs: the tool's name and description as the model sees them, its input schema and what it does. */
export interface DefineToolOptions<Input, Result> {
  /** The tool's name as the model calls it, e.g. `ralio_list_transactions`. */
  name: string
  /** What the tool does, for the model. */
  description: string
  /** A zod object schema (zod or zod/mini); the JSON Schema the model sees is derived from it. */
  input: $ZodType<Input>
  /** What the work returns (the `result` schema, or the observed effects it reports), for the output schema. */
  output?: ToolOutputSpec
  /** Hints for hosts (MCP `readOnlyHint`, `destructiveHint` …). */
  annotations?: ToolAnnotations
  /**
   * Runs the tool with the validated input; its result goes back to the model as `ok`, or,
   * when it returns an {@link ObservedEffect}, as that effect's status.
   */
  execute: (input: Input, context: ExecuteContext) => Promise<Result> | Result
}

/**
 * A tool that runs without asking the gateway: for reads and checks with no side effect
 * (listing, simulating, verifying). Anything that changes the world belongs in `guardedTool`.
 */
export function defineTool<Input, Result>(
  options: DefineToolOptions<Input, Result>,
): AgentTool<Input, Result> {
  const name = checkToolName(options?.name)
  const description = checkDescription(name, options.description)
  const inputJson = inputJsonSchema(name, options.input)
  if (typeof options.execute !== 'function') throw invalidTool(`${name}: execute must be a function.`)
  const output = outcomeSchema(name, false, options.output)
  return {
    name,
    description,
    input: options.input,
    inputJsonSchema: inputJson,
    output: output.zod,
    outputJsonSchema: output.json,
    annotations: { ...options.annotations },
    async run(rawInput: unknown, call: ToolCallOptions = {}): Promise<ToolOutcome<Result>> {
      const parsed = parseInput(name, options.input, rawInput)
      if (!parsed.ok) return parsed.outcome
      const toolCallId = call.toolCallId ?? crypto.randomUUID()
      try {
        const result = await options.execute(parsed.input, { toolCallId, signal: call.signal })
        return resultOutcome<Result>(result as Result, undefined)
      } catch (error) {
        return failedOutcome(error, call.signal, 'execute_failed')
      }
    },
  }
}
