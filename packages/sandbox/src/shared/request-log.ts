import type { Context, Env, MiddlewareHandler } from 'hono'

/** One answered request, as a sandbox's `onRequest` hears of it. */
export interface SandboxRequestLogEntry {
  method: string
  /** The path without the query string (a query may carry a token). */
  path: string
  status: number
  /** Relynt's gateway calls: the decision (`allow`, `deny`, `pending_approval`), when one was made. */
  decision?: string
}

/**
 * Tells `listener` about every answered request, injected faults and errors included.
 * The approvals console's own reads are left out: the page polls every second.
 */
export function requestLog<E extends Env>(
  listener: (entry: SandboxRequestLogEntry) => void,
  decisionOf: (c: Context<E>) => string | undefined = () => undefined,
): MiddlewareHandler<E> {
  return async (c, next) => {
    await next()
    if (c.req.method === 'GET' && c.req.path.startsWith('/__console')) return
    const decision = decisionOf(c)
    try {
      listener({
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ...(decision === undefined ? {} : { decision }),
      })
    } catch {
      // A failing listener must not turn an answered request into a 500.
    }
  }
}
