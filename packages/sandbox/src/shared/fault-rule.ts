import { z } from 'zod'

/** How to break matching requests: a status, latency, a dropped connection or a cut stream, for `count` requests. */
export interface FaultRule {
  /** 'METHOD /path' with '*' wildcards in the path (e.g. 'POST /api/chat', 'GET /api/*'),
   *  or '*' for every non-admin route. */
  route: string
  /** how many matching requests this rule affects; default 1 */
  count?: number
  /** respond with this status instead (with `body` as JSON, or text, and `headers`) */
  status?: number
  body?: unknown
  headers?: Record<string, string>
  /** true: run the real handler first (the work IS done), then replace its response
   *  with the failure (e.g. 502 after the payment was made) */
  after?: boolean
  /** add latency before responding */
  latencyMs?: number
  /** destroy the TCP connection instead of responding (with `after`, after the work) */
  dropConnection?: boolean
  /** for an SSE response: let N events through, then cut the connection (no terminal event) */
  cutStreamAfterEvents?: number
  /** probability in [0,1] that a matching request is affected (default 1); for soak tests */
  probability?: number
}

/** Strict on purpose: a typo in a fault rule should fail loudly, not silently do nothing. */
export const faultRuleSchema = z
  .strictObject({
    route: z
      .string()
      .trim()
      .regex(/^(\*|[A-Za-z*]+ \/\S*)$/, "route must be '*' or 'METHOD /path' (e.g. 'POST /v1/*')"),
    count: z.number().int().positive().optional(),
    status: z.number().int().min(100).max(599).optional(),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    after: z.boolean().optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    dropConnection: z.boolean().optional(),
    cutStreamAfterEvents: z.number().int().nonnegative().optional(),
    probability: z.number().min(0).max(1).optional(),
  })
  .refine((rule) => !(rule.dropConnection && rule.status !== undefined), {
    message: 'a rule either drops the connection or responds with a status, not both',
  })
  .refine(
    (rule) =>
      !(rule.cutStreamAfterEvents !== undefined && (rule.dropConnection || rule.status !== undefined)),
    {
      message:
        'cutStreamAfterEvents lets the real stream through, so it cannot be combined with status or dropConnection',
    },
  )

const snakeCaseAliases: Record<string, keyof FaultRule> = {
  latency_ms: 'latencyMs',
  drop_connection: 'dropConnection',
  cut_stream_after_events: 'cutStreamAfterEvents',
}

/**
 * Validates a fault rule. Accepts the snake_case spellings too, since the admin HTTP
 * API is meant for clients in any language.
 */
export function parseFaultRule(input: unknown): FaultRule {
  let candidate = input
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    candidate = Object.fromEntries(
      Object.entries(input).map(([key, value]) => [snakeCaseAliases[key] ?? key, value]),
    )
  }
  const result = faultRuleSchema.safeParse(candidate)
  if (!result.success) {
    throw new TypeError(`Invalid fault rule: ${z.prettifyError(result.error)}`)
  }
  return result.data
}
