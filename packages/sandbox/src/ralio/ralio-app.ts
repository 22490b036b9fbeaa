import { Hono } from 'hono'
import { mountAdminRoutes } from '../shared/admin-routes.js'
import { bodySizeLimit } from '../shared/body-size-limit.js'
import type { FaultInjector } from '../shared/fault-injector.js'
import { requestLog, type SandboxRequestLogEntry } from '../shared/request-log.js'
import { chatRoutes } from './chat-routes.js'
import { ledgerRoutes } from './ledger-routes.js'
import { RalioHttpError } from './ralio-http-error.js'
import type { RalioState } from './ralio-state.js'
import { registrationRoutes } from './registration-routes.js'
import { tokenRoutes } from './token-routes.js'

export interface CreateRalioAppInput {
  state: RalioState
  faults: FaultInjector
  stats: () => unknown
  adminRoutes: (admin: Hono) => void
  adminToken: string
  onRequest?: ((entry: SandboxRequestLogEntry) => void) | undefined
}

/** The Ralio sandbox's HTTP surface: the public API plus its `/__admin` control plane. */
export function createRalioApp({
  state,
  faults,
  stats,
  adminRoutes,
  adminToken,
  onRequest,
}: CreateRalioAppInput): Hono {
  const app = new Hono()
  if (onRequest !== undefined) app.use(requestLog(onRequest))
  // Outermost, so injected faults carry the sandbox's Date too.
  app.use(state.clock.dateHeader())
  app.use(bodySizeLimit((message) => ({ detail: message })))
  app.use(faults.middleware())

  app.onError((error, c) => {
    if (error instanceof RalioHttpError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value)
      return c.json(error.body as object, error.status)
    }
    // Never the error itself in the response: it could hold a token or proof.
    console.error('[ralio sandbox] unexpected error:', error instanceof Error ? error.stack : error)
    return c.json({ detail: 'internal error' }, 500)
  })
  app.notFound((c) => c.json({ detail: 'Not Found' }, 404))

  mountAdminRoutes(app, { adminToken, faults, clock: state.clock, stats, routes: adminRoutes })
  app.route('/', registrationRoutes(state))
  app.route('/', tokenRoutes(state))
  app.route('/', chatRoutes(state))
  app.route('/', ledgerRoutes(state))
  return app
}
