import type { Context, Env } from 'hono'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { adminAccess } from './admin-access.js'
import type { Clock } from './clock.js'
import { adminPathPrefix, type FaultInjector } from './fault-injector.js'

export interface AdminRoutesOptions {
  /** Every admin request over HTTP must send `Authorization: Bearer <adminToken>`. */
  adminToken: string
  faults: FaultInjector
  clock: Clock
  /** The sandbox's counters for `GET /__admin/stats`, already in wire (snake_case) form. */
  stats: () => unknown
  /** Adds the sandbox's own admin routes; paths are relative to `/__admin`. */
  routes?: (admin: Hono) => void
}

/** Thrown by admin route handlers to answer with an error body instead of a 500. */
export class AdminRouteError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'AdminRouteError'
  }
}

const clockBodySchema = z.looseObject({
  offsetMs: z.number().finite().optional(),
  offset_ms: z.number().finite().optional(),
})

/**
 * Mounts the control plane every sandbox shares under `/__admin`: faults, clock offset
 * and stats, plus the routes the sandbox adds through `options.routes`. A request must be
 * addressed to a loopback host, come from no other web origin, and carry the admin token
 * (see `adminAccess`). Errors answer `{"error":{"code","message"}}`.
 */
export function mountAdminRoutes<E extends Env>(app: Hono<E>, options: AdminRoutesOptions): void {
  const admin = new Hono()
  admin.use(
    adminAccess(options.adminToken, (c, refusal) =>
      adminError(c, refusal.status, refusal.code, refusal.message),
    ),
  )

  admin.onError((error, c) => {
    if (error instanceof AdminRouteError || isHttpError(error)) {
      return adminError(c, error.status, error.code, error.message)
    }
    if (error instanceof TypeError) return adminError(c, 400, 'bad_request', error.message)
    return adminError(c, 500, 'internal_error', error instanceof Error ? error.message : 'unexpected error')
  })

  admin.post('/faults', async (c) => {
    const id = options.faults.add((await readAdminJson(c)) as never)
    return c.json({ id }, 201)
  })
  admin.get('/faults', (c) => c.json({ faults: options.faults.list(), log: options.faults.log }))
  admin.delete('/faults', (c) => {
    options.faults.clear()
    return c.body(null, 204)
  })
  admin.delete('/faults/:id', (c) => {
    if (!options.faults.remove(c.req.param('id'))) {
      throw new AdminRouteError(404, 'not_found', `No fault rule ${c.req.param('id')}`)
    }
    return c.body(null, 204)
  })
  admin.post('/clock', async (c) => {
    const body = parseAdminBody(clockBodySchema, await readAdminJson(c))
    const offsetMs = body.offsetMs ?? body.offset_ms
    if (offsetMs === undefined) throw new AdminRouteError(400, 'bad_request', 'Send { "offsetMs": <number> }')
    options.clock.offsetMs = offsetMs
    return c.json({ offset_ms: offsetMs, now: options.clock.nowIso() })
  })
  admin.get('/clock', (c) => c.json({ offset_ms: options.clock.offsetMs, now: options.clock.nowIso() }))
  admin.get('/stats', (c) => c.json(options.stats() as object))

  options.routes?.(admin)
  // Last, so it only catches what no route matched; a mounted app's notFound is not consulted.
  admin.all('*', (c) => adminError(c, 404, 'not_found', `No admin route ${c.req.method} ${c.req.path}`))
  app.route(adminPathPrefix, admin)
}

/** Reads a JSON request body, answering 400 for anything that is not JSON. An empty body reads as `{}`. */
export async function readAdminJson(c: Context): Promise<unknown> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new AdminRouteError(400, 'bad_request', 'The request body is not valid JSON')
  }
}

/** Validates an admin body with `schema`, answering 400 with zod's explanation. */
export function parseAdminBody<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input)
  if (!result.success) throw new AdminRouteError(400, 'bad_request', z.prettifyError(result.error))
  return result.data
}

function adminError(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  return c.json({ error: { code, message } }, status)
}

/** A sandbox's own API error (anything carrying an HTTP `status` and a `code`) keeps its status. */
function isHttpError(error: Error): error is Error & { status: ContentfulStatusCode; code: string } {
  const candidate = error as Error & { status?: unknown; code?: unknown }
  return (
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status <= 599 &&
    typeof candidate.code === 'string'
  )
}
