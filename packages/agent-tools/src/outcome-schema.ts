import * as z from 'zod/mini'
import type { $ZodType } from 'zod/v4/core'
import type { JsonObjectSchema } from './agent-tool.js'
import { invalidTool } from './errors.js'

/**
 * What a tool's work returns, for the output schema hosts and models read: the `result` of
 * an `allowed`/`ok` outcome, and the statuses and fields of the observed effects its
 * `execute` may report instead.
 */
export interface ToolOutputSpec {
  /** The zod schema of the `result` an `allowed` or `ok` outcome carries. Omit when the work only reports effects. */
  result?: $ZodType
  /** The observed effects `execute` may return (see `observedEffect`): their statuses and fields. */
  effects?: { statuses: readonly string[]; fields: Record<string, $ZodType> }
}

/** The JSON Schema of a tool's outcome, and the zod object it is derived from (what the MCP SDK registers). */
export interface OutcomeSchema {
  zod: z.ZodMiniObject
  json: JsonObjectSchema
}

const issue = z.object({ path: z.string(), message: z.string() })

/**
 * The schema of every outcome of one tool, as one object (MCP wants an object at the root):
 * `status` lists exactly the statuses this tool can answer (open when the tool declares no
 * output), and the fields of each outcome are optional members. Unknown keys are allowed, so a newer field never breaks a client.
 */
export function outcomeSchema(toolName: string, guarded: boolean, spec?: ToolOutputSpec): OutcomeSchema {
  // A tool that does not say what it returns may report any effect: its status stays open.
  const declared = spec !== undefined
  const output = spec ?? {}
  const ran = output.result !== undefined || output.effects === undefined ? [guarded ? 'allowed' : 'ok'] : []
  const refused = guarded ? ['denied', 'pending_approval'] : []
  const statuses = [
    ...new Set([...ran, ...(output.effects?.statuses ?? []), ...refused, 'invalid_input', 'failed']),
  ]
  const effectFields = Object.fromEntries(
    Object.entries(output.effects?.fields ?? {}).map(([key, schema]) => [key, z.optional(schema)]),
  )
  const shape = {
    ...effectFields,
    status: declared
      ? z.enum(statuses as [string, ...string[]]).check(z.describe('What happened.'))
      : z.string().check(z.describe(`What happened: ${statuses.join(', ')}, or what the tool observed.`)),
    message: z.optional(
      z.string().check(z.describe('What happened, whether anything was done, the next useful call.')),
    ),
    ...(ran.length > 0 ? { result: z.optional((output.result ?? z.unknown()) as z.ZodMiniType) } : {}),
    ...(output.effects || !declared ? { isError: z.optional(z.boolean()) } : {}),
    ...(guarded
      ? {
          receiptId: z.optional(
            z.string().check(z.describe('The signed Relynt receipt; check it with relynt_verify_receipt.')),
          ),
          approvalId: z.optional(z.string()),
          checkAgainAfterSeconds: z.optional(
            z.number().check(z.describe('With pending_approval: when to call relynt_check_approval.')),
          ),
          approvedBy: z.optional(z.string()),
          decidedBy: z.optional(z.string()),
          decisionReason: z.optional(z.string().check(z.describe('What the person who denied it wrote.'))),
          deniedBy: z.optional(z.enum(['policy', 'person', 'expired', 'unknown'])),
          reason: z.optional(z.string()),
        }
      : {}),
    error: z.optional(z.object({ code: z.string(), message: z.string() })),
    issues: z.optional(z.array(issue)),
  }
  const zod = z.looseObject(shape) as unknown as z.ZodMiniObject
  let json: Record<string, unknown>
  try {
    json = z.toJSONSchema(zod, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>
  } catch (error) {
    throw invalidTool(
      `${toolName}: its output schema cannot be expressed as JSON Schema (${(error as Error).message}).`,
    )
  }
  const { $schema: _draft, ...rest } = json
  return { zod, json: rest as JsonObjectSchema }
}
