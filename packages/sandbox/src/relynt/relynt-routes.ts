import type { Context, Hono } from 'hono'
import type { RelyntAgent } from './agent-registry.js'
import { approvalView } from './approval-store.js'
import type { ReceiptDecision, ReceiptFilters } from './receipt-ledger.js'
import { summarizeReceipt } from './receipt-ledger.js'
import { RelyntApiError } from './relynt-api-error.js'
import type { RelyntGateway } from './relynt-gateway.js'
import { readToolCallRequest } from './tool-call-request.js'

/** `decision`: what a gateway call decided, for the request log. */
export type RelyntEnv = { Variables: { agent: RelyntAgent; decision?: string } }

const receiptDecisions = new Set<string>(['allow', 'deny', 'pending_approval', 'error'])
const riskLevels = new Set<string>(['low', 'medium', 'high'])

/** The agent-facing API (spec §2–§6), every route behind the agent credential. */
export function registerRelyntRoutes(app: Hono<RelyntEnv>, gateway: RelyntGateway): void {
  app.use('/v1/*', async (c, next) => {
    c.set('agent', gateway.authenticate(c.req.header('authorization')))
    await next()
  })

  app.post('/v1/agent-tool-call', async (c) => {
    const idempotencyKey = readIdempotencyKey(c)
    const request = await readToolCallRequest(c)
    const response = await gateway.toolCall(c.get('agent'), idempotencyKey, request)
    const decision = decisionOf(response.body)
    if (decision !== undefined) c.set('decision', decision)
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (response.replayed) headers['idempotent-replayed'] = 'true'
    return new Response(response.body, { status: response.status, headers })
  })

  app.post('/v1/policy-simulator', async (c) => c.json(gateway.simulate(await readToolCallRequest(c))))

  app.get('/v1/approvals/:approvalId', (c) =>
    c.json(approvalView(gateway.approvals.get(c.req.param('approvalId')))),
  )

  app.get('/v1/receipts', (c) => {
    const limit = readPageLimit(c)
    const matches = gateway.receipts.list(readReceiptFilters(c))
    const page = matches.slice(0, limit)
    const last = page.at(-1)
    const hasMore = matches.length > limit && last !== undefined
    return c.json({
      receipts: page.map(summarizeReceipt),
      next_cursor: hasMore ? Buffer.from(last.receipt_id).toString('base64url') : null,
      has_more: hasMore,
    })
  })
  app.get('/v1/receipts/:receiptId', (c) => c.json(gateway.receipts.get(c.req.param('receiptId'))))
  app.get('/v1/receipts/:receiptId/verify', (c) =>
    c.json({ valid: gateway.receipts.verify(c.req.param('receiptId')) }),
  )
}

function decisionOf(body: string): string | undefined {
  const parsed: unknown = JSON.parse(body)
  const decision = (parsed as { decision?: unknown } | null)?.decision
  return typeof decision === 'string' ? decision : undefined
}

function readIdempotencyKey(c: Context): string {
  const key = c.req.header('idempotency-key')
  if (key === undefined || key.trim() === '') {
    throw new RelyntApiError(
      400,
      'bad_request',
      'The Idempotency-Key header is required; send one unique key (a UUID) per logical call and reuse it on retries',
    )
  }
  if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new RelyntApiError(400, 'bad_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters')
  }
  return key
}

const defaultPageSize = 50
const maxPageSize = 200

/** `limit`: receipts per page, 1 to 200, default 50. */
function readPageLimit(c: Context): number {
  const value = c.req.query('limit')
  if (value === undefined) return defaultPageSize
  const limit = Number(value)
  if (!/^\d+$/.test(value) || limit < 1 || limit > maxPageSize) {
    throw new RelyntApiError(400, 'bad_request', `limit must be a whole number from 1 to ${maxPageSize}`)
  }
  return limit
}

function readReceiptFilters(c: Context): ReceiptFilters {
  const query = c.req.query()
  const filters: ReceiptFilters = {}
  // An opaque cursor: the page's last receipt id, so receipts written meanwhile never shift a page.
  if (query.cursor !== undefined) filters.after = Buffer.from(query.cursor, 'base64url').toString()
  if (query.decision !== undefined) {
    if (!receiptDecisions.has(query.decision)) {
      throw new RelyntApiError(
        400,
        'bad_request',
        'decision must be one of allow, deny, pending_approval, error',
      )
    }
    filters.decision = query.decision as ReceiptDecision
  }
  if (query.risk_level !== undefined) {
    if (!riskLevels.has(query.risk_level)) {
      throw new RelyntApiError(400, 'bad_request', 'risk_level must be one of low, medium, high')
    }
    filters.riskLevel = query.risk_level as ReceiptFilters['riskLevel']
  }
  if (query.agent_id !== undefined) filters.agentId = query.agent_id
  if (query.search !== undefined && query.search !== '') filters.search = query.search
  for (const bound of ['from', 'to'] as const) {
    const value = query[bound]
    if (value === undefined) continue
    const time = Date.parse(value)
    if (Number.isNaN(time)) {
      throw new RelyntApiError(
        400,
        'bad_request',
        `${bound} must be an ISO 8601 timestamp, e.g. 2026-05-01T00:00:00Z`,
      )
    }
    filters[bound] = time
  }
  return filters
}
