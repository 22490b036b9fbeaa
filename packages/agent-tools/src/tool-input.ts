import * as z from 'zod/mini'
import type { $ZodType } from 'zod/v4/core'
import type { InvalidInputOutcome, JsonObjectSchema } from './agent-tool.js'
import { invalidTool } from './errors.js'

/** The JSON Schema of a tool's input, checked once when the tool is built. */
export function inputJsonSchema(toolName: string, schema: unknown): JsonObjectSchema {
  if (typeof schema !== 'object' || schema === null || !('_zod' in schema)) {
    throw invalidTool(`${toolName}: input must be a zod schema, e.g. z.object({ amount: z.string() }).`)
  }
  let json: Record<string, unknown>
  try {
    json = z.toJSONSchema(schema as $ZodType, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >
  } catch (error) {
    throw invalidTool(
      `${toolName}: its input schema cannot be expressed as JSON Schema (${(error as Error).message}); ` +
        'use plain objects, strings, numbers, enums and arrays.',
    )
  }
  if (json.type !== 'object') {
    throw invalidTool(
      `${toolName}: input must be an object schema (z.object({ … })): models call tools with objects.`,
    )
  }
  // The draft marker means nothing to model APIs, and some refuse unknown top-level keys.
  const { $schema: _draft, ...rest } = json
  return { properties: {}, ...rest } as JsonObjectSchema
}

export type ParsedInput<Input> = { ok: true; input: Input } | { ok: false; outcome: InvalidInputOutcome }

/** Checks the model's arguments; a mismatch is an outcome the model can correct, not an exception. */
export function parseInput<Input>(
  toolName: string,
  schema: $ZodType<Input>,
  value: unknown,
): ParsedInput<Input> {
  const result = z.safeParse(schema, value ?? {})
  if (result.success) return { ok: true, input: result.data }
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }))
  return {
    ok: false,
    outcome: {
      status: 'invalid_input',
      message: `The input of ${toolName} does not match its schema: ${issues
        .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
        .join('; ')}. Nothing was done; call it again with corrected input.`,
      issues,
    },
  }
}

const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/

/** Model APIs accept 1–64 letters, digits, `_` and `-` as a function name. */
export function checkToolName(name: unknown): string {
  if (typeof name !== 'string' || !toolNamePattern.test(name)) {
    throw invalidTool(
      `A tool name must be 1–64 letters, digits, "_" or "-" (model APIs refuse others); got ${JSON.stringify(name)}.`,
    )
  }
  return name
}

export function checkDescription(name: string, description: unknown): string {
  if (typeof description !== 'string' || description.trim() === '') {
    throw invalidTool(
      `${name}: a description is required; the model reads it to decide when to call the tool.`,
    )
  }
  return description
}
