import { Hono } from 'hono'
import { type RalioEnv, requireDpopAuth, requireScope } from './dpop-auth.js'
import { paginate, parsePagination } from './pagination.js'
import { detailError } from './ralio-http-error.js'
import type { RalioState } from './ralio-state.js'

/** `GET /api/transactions` and `GET /api/payment-intents` (spec §4), newest first. */
export function ledgerRoutes(state: RalioState): Hono<RalioEnv> {
  const app = new Hono<RalioEnv>()
  const guard = [requireDpopAuth(state), requireScope('transactions:read')] as const

  const agentFilter = (requested: string | undefined, boundAgentId: string): string => {
    // A credential sees only its own agent; naming another is the same 403 as chat gives.
    if (requested !== undefined && requested !== boundAgentId)
      throw detailError(403, 'Agent not found or access denied')
    return boundAgentId
  }

  app.get('/api/transactions', ...guard, (c) => {
    const pagination = parsePagination((name) => c.req.query(name))
    const agentId = agentFilter(c.req.query('agent_id'), c.get('auth').binding.agentId)
    const rows = state.ledger.listTransactions(agentId)
    return c.json({
      transactions: paginate(rows, pagination).map((row) => state.ledger.transactionToWire(row)),
      total: rows.length,
      page: pagination.page,
      per_page: pagination.perPage,
    })
  })

  app.get('/api/payment-intents', ...guard, (c) => {
    const pagination = parsePagination((name) => c.req.query(name))
    const agentId = agentFilter(c.req.query('agent_id'), c.get('auth').binding.agentId)
    const rows = state.ledger.listIntents(agentId)
    return c.json({
      payment_intents: paginate(rows, pagination).map((row) => state.ledger.intentToWire(row)),
      total: rows.length,
      page: pagination.page,
      per_page: pagination.perPage,
    })
  })

  return app
}
