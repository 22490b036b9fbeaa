import type { Hono } from 'hono'
import { z } from 'zod'
import { AdminRouteError, parseAdminBody, readAdminJson } from '../shared/admin-routes.js'
import { PaymentIntentStateError } from './payments-ledger.js'
import type { RalioSandbox } from './ralio-sandbox.js'

const ticketBody = z.looseObject({
  agent_id: z.string().optional(),
  agentId: z.string().optional(),
  scope_ceiling: z.array(z.string()).optional(),
  scopeCeiling: z.array(z.string()).optional(),
  ttl_ms: z.number().int().positive().optional(),
  ttlMs: z.number().int().positive().optional(),
})
const rejectBody = z.looseObject({ reason: z.string().optional() })
const nonceBody = z.looseObject({
  enabled: z.boolean(),
  rotate_every_ms: z.number().int().positive().optional(),
  rotateEveryMs: z.number().int().positive().optional(),
})
const tokenLifetimeBody = z.looseObject({ seconds: z.number().int().positive() })
const revokeBody = z.looseObject({ client_id: z.string().optional(), clientId: z.string().optional() })
const registrationBody = z.looseObject({
  mode: z.enum(['active', 'pending-approval']).optional(),
  fingerprint: z.enum(['correct', 'wrong', 'omitted']).optional(),
})
const spendLimitBody = z.looseObject({ amount: z.string() })

/**
 * The Ralio part of `/__admin` (paths relative to it), for another process: the demo's
 * approver, or a test written in another language.
 */
export function ralioAdminRoutes(sandbox: RalioSandbox): (admin: Hono) => void {
  return (admin) => {
    admin.post('/tickets', async (c) => {
      const body = parseAdminBody(ticketBody, await readAdminJson(c))
      const agentId = body.agent_id ?? body.agentId
      const scopeCeiling = body.scope_ceiling ?? body.scopeCeiling
      const ttlMs = body.ttl_ms ?? body.ttlMs
      const { ticket, expiresAt } = sandbox.mintTicket({
        ...(agentId !== undefined ? { agentId } : {}),
        ...(scopeCeiling !== undefined ? { scopeCeiling } : {}),
        ...(ttlMs !== undefined ? { ttlMs } : {}),
      })
      return c.json({ ticket, expires_at: expiresAt }, 201)
    })

    admin.get('/payment-intents', (c) => {
      const status = c.req.query('approval_status') ?? c.req.query('status')
      const intents = sandbox
        .listPaymentIntents()
        .filter((intent) => !status || intent.approval_status === status)
      return c.json({ payment_intents: intents })
    })
    admin.post('/payment-intents/:id/approve', async (c) => {
      await readAdminJson(c)
      return c.json(decide(() => sandbox.approvePaymentIntent(c.req.param('id')), sandbox, c.req.param('id')))
    })
    admin.post('/payment-intents/:id/reject', async (c) => {
      const { reason } = parseAdminBody(rejectBody, await readAdminJson(c))
      return c.json(
        decide(() => sandbox.rejectPaymentIntent(c.req.param('id'), reason), sandbox, c.req.param('id')),
      )
    })

    admin.post('/nonce', async (c) => {
      const body = parseAdminBody(nonceBody, await readAdminJson(c))
      const rotateEveryMs = body.rotate_every_ms ?? body.rotateEveryMs
      sandbox.setNonceMode({
        enabled: body.enabled,
        ...(rotateEveryMs !== undefined ? { rotateEveryMs } : {}),
      })
      return c.json({ enabled: body.enabled, nonce: body.enabled ? sandbox.currentNonce() : null })
    })
    admin.post('/token-lifetime', async (c) => {
      const { seconds } = parseAdminBody(tokenLifetimeBody, await readAdminJson(c))
      sandbox.setTokenLifetime(seconds)
      return c.json({ seconds })
    })
    admin.post('/revoke-tokens', async (c) => {
      const body = parseAdminBody(revokeBody, await readAdminJson(c))
      sandbox.revokeTokens(body.client_id ?? body.clientId)
      return c.body(null, 204)
    })
    admin.post('/registration', async (c) => {
      const body = parseAdminBody(registrationBody, await readAdminJson(c))
      sandbox.setRegistrationBehavior(body)
      return c.body(null, 204)
    })
    admin.put('/spend-limit', async (c) => {
      const { amount } = parseAdminBody(spendLimitBody, await readAdminJson(c))
      sandbox.setSpendLimit(amount)
      return c.json({ amount })
    })
  }
}

function decide(action: () => void, sandbox: RalioSandbox, id: string): Record<string, unknown> {
  try {
    action()
  } catch (error) {
    if (error instanceof PaymentIntentStateError) {
      const known = sandbox.listPaymentIntents().some((intent) => intent.id === id)
      throw new AdminRouteError(known ? 409 : 404, known ? 'conflict' : 'not_found', error.message)
    }
    throw error
  }
  return sandbox.listPaymentIntents().find((intent) => intent.id === id) ?? {}
}
