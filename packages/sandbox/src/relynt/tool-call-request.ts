import type { Context } from 'hono'
import { z } from 'zod'
import { RelyntApiError } from './relynt-api-error.js'

/** A validated gateway (or simulator) call, plus the exact JSON the client sent. */
export interface ToolCallRequest {
  instanceId: string
  action: string
  resource: string
  payload: Record<string, unknown>
  /** The parsed body as sent (unknown fields included): what `request_hash` covers. */
  body: Record<string, unknown>
}

// Unknown top-level fields are tolerated (and hashed): the real gateway ignores them.
const toolCallSchema = z.looseObject({
  instance_id: z
    .string({ error: 'instance_id is required: one id per agent run' })
    .min(1, 'instance_id must not be empty'),
  action: z.string({ error: 'action is required, e.g. "update_deal"' }).min(1, 'action must not be empty'),
  resource: z
    .string({ error: 'resource is required, e.g. "crm:deal:123"' })
    .min(1, 'resource must not be empty'),
  payload: z
    .record(z.string(), z.unknown(), { error: 'payload must be a JSON object when present' })
    .optional(),
})

/** Reads and validates a tool-call body; every problem is a 400 `bad_request` saying what to fix. */
export async function readToolCallRequest(c: Context): Promise<ToolCallRequest> {
  const body = await readJsonObject(c)
  const result = toolCallSchema.safeParse(body)
  if (!result.success) {
    throw new RelyntApiError(400, 'bad_request', `Invalid request body: ${z.prettifyError(result.error)}`)
  }
  const { instance_id, action, resource, payload } = result.data
  return { instanceId: instance_id, action, resource, payload: payload ?? {}, body }
}

/** A JSON object body sent as `application/json`, or a 400. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const contentType = c.req.header('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new RelyntApiError(
      400,
      'bad_request',
      'Send the body as JSON with "Content-Type: application/json"',
    )
  }
  const text = await c.req.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new RelyntApiError(400, 'bad_request', 'The request body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RelyntApiError(400, 'bad_request', 'The request body must be a JSON object')
  }
  return body as Record<string, unknown>
}
