import type { Hono } from 'hono'
import { z } from 'zod'
import { parseAdminBody, readAdminJson } from '../shared/admin-routes.js'
import { type ApprovalStatus, approvalView } from './approval-store.js'
import type { RelyntGateway } from './relynt-gateway.js'

const agentBody = z.looseObject({
  name: z.string().min(1).optional(),
  organization_id: z.string().min(1).optional(),
})
const policyBody = z.looseObject({ rules: z.unknown(), version: z.string().min(1).optional() })
const decisionBody = z.looseObject({
  approver: z.string().min(1).max(200).optional(),
  reason: z.string().min(1).max(1000).optional(),
})
const tamperBody = z.looseObject({ field: z.string().min(1), value: z.unknown() })
const approvalStatuses = new Set<string>(['pending', 'approved', 'denied', 'expired'])

/** Relynt's own admin routes, relative to `/__admin`. */
export function registerRelyntAdminRoutes(admin: Hono, gateway: RelyntGateway): void {
  admin.post('/agents', async (c) => {
    const body = parseAdminBody(agentBody, await readAdminJson(c))
    const { agentId, secret } = gateway.agents.create({
      ...(body.name === undefined ? {} : { name: body.name }),
      organizationId: body.organization_id ?? gateway.organizationId,
    })
    return c.json({ agent_id: agentId, secret }, 201)
  })
  admin.get('/agents', (c) =>
    c.json({
      agents: gateway.agents.list().map((agent) => ({
        agent_id: agent.agentId,
        name: agent.name,
        organization_id: agent.organizationId,
        created_at: agent.createdAt,
      })),
    }),
  )
  admin.post('/agents/:agentId/rotate', (c) => c.json(gateway.agents.rotate(c.req.param('agentId'))))

  admin.get('/policy', (c) => c.json(gateway.policy))
  admin.put('/policy', async (c) => {
    const body = parseAdminBody(policyBody, await readAdminJson(c))
    return c.json(gateway.setPolicy(body.rules, body.version))
  })

  admin.get('/approvals', (c) => {
    const status = c.req.query('status')
    if (status !== undefined && !approvalStatuses.has(status)) {
      throw new TypeError('status must be one of pending, approved, denied, expired')
    }
    return c.json({
      approvals: gateway.approvals.list(status as ApprovalStatus | undefined).map(approvalView),
    })
  })
  admin.post('/approvals/:approvalId/approve', async (c) => {
    const body = parseAdminBody(decisionBody, await readAdminJson(c))
    const approvalId = c.req.param('approvalId')
    // Answers once the connector ran and the final receipt exists.
    await gateway.approve(approvalId, body.approver, body.reason)
    return c.json(approvalView(gateway.approvals.get(approvalId)))
  })
  admin.post('/approvals/:approvalId/deny', async (c) => {
    const body = parseAdminBody(decisionBody, await readAdminJson(c))
    const approvalId = c.req.param('approvalId')
    gateway.deny(approvalId, body.approver, body.reason)
    return c.json(approvalView(gateway.approvals.get(approvalId)))
  })

  admin.post('/receipts/:receiptId/tamper', async (c) => {
    const body = parseAdminBody(tamperBody, await readAdminJson(c))
    gateway.receipts.tamper(c.req.param('receiptId'), body.field, body.value)
    return c.body(null, 204)
  })
}
