// The decision cases `guard()`, the agent tools' guarded tools and `x-relynt` are all tested
// against, with one scripted gateway that answers them over HTTP. Each suite maps the expected
// verdict to its own surface (a thrown error, a tool outcome, an exit code); all three agree.
import { type LocalServer, sendJson, startServer } from '../../../core/test/support/local-server.js'

/** What every surface must make of a case. */
export type ExpectedVerdict =
  /** The guarded work runs, under `receiptId`. */
  | { kind: 'allowed'; receiptId: string; approvedBy?: string }
  /** Nothing runs; `decision` is the gateway's decision or the approval's status. */
  | {
      kind: 'denied'
      by: 'policy' | 'person' | 'expired' | 'unknown'
      decision: string
      receiptId: string
      /** What the person who denied it wrote; every surface passes it on. */
      decisionReason?: string
    }
  /** Approved, but the gateway's connector failed: nothing runs, the gateway's error is reported. */
  | { kind: 'failed'; receiptId: string; gatewayError: { code: string; message: string } }
  /** The gateway's answer is malformed (an approval status no version knows): nothing runs. */
  | { kind: 'invalid_response' }

export interface DecisionCase {
  name: string
  /** The resource requested: the scripted gateway answers by it. */
  resource: string
  /** The gateway's answer to `POST /v1/agent-tool-call`, on the wire. */
  action: Record<string, unknown>
  /** The answer to `GET /v1/approvals/{id}` once decided, on the wire. */
  approval?: Record<string, unknown>
  expected: ExpectedVerdict
}

const pending = (n: number) => ({
  decision: 'pending_approval',
  receipt_id: `rec_pending_${n}`,
  approval_id: `apr_${n}`,
  reason: 'Amount exceeds 1000',
})

const decided = (n: number, status: string, extra: Record<string, unknown> = {}) => ({
  approval_id: `apr_${n}`,
  status,
  decided_by: status === 'expired' ? null : 'slack:U42',
  decided_at: status === 'expired' ? null : '2026-01-01T00:00:00Z',
  ...extra,
})

export const decisionCases: DecisionCase[] = [
  {
    name: 'allow',
    resource: 'case:allow',
    action: { decision: 'allow', receipt_id: 'rec_allow', reason: 'Matches allow rule' },
    expected: { kind: 'allowed', receiptId: 'rec_allow' },
  },
  {
    name: 'deny',
    resource: 'case:deny',
    action: { decision: 'deny', receipt_id: 'rec_deny', reason: 'Payee is blocked' },
    expected: { kind: 'denied', by: 'policy', decision: 'deny', receiptId: 'rec_deny' },
  },
  {
    name: 'pending, then approved',
    resource: 'case:approved',
    action: pending(1),
    approval: decided(1, 'approved', { receipt_id: 'rec_approved_1' }),
    expected: { kind: 'allowed', receiptId: 'rec_approved_1', approvedBy: 'slack:U42' },
  },
  {
    name: 'pending, then denied by a person',
    resource: 'case:denied',
    action: pending(2),
    approval: decided(2, 'denied', { receipt_id: 'rec_denied_2', decision_reason: 'Paid twice already' }),
    expected: {
      kind: 'denied',
      by: 'person',
      decision: 'denied',
      receiptId: 'rec_denied_2',
      decisionReason: 'Paid twice already',
    },
  },
  {
    name: 'pending, then expired',
    resource: 'case:expired',
    action: pending(3),
    approval: decided(3, 'expired'),
    expected: { kind: 'denied', by: 'expired', decision: 'expired', receiptId: 'rec_pending_3' },
  },
  {
    name: "approved, but the gateway's connector failed",
    resource: 'case:connector-error',
    action: pending(4),
    approval: decided(4, 'approved', {
      receipt_id: 'rec_error_4',
      error: { code: 'connector_error', message: 'CRM is down' },
    }),
    expected: {
      kind: 'failed',
      receiptId: 'rec_error_4',
      gatewayError: { code: 'connector_error', message: 'CRM is down' },
    },
  },
  {
    name: 'a decision this version does not know',
    resource: 'case:unknown-decision',
    action: { decision: 'escalate_to_legal', receipt_id: 'rec_unknown' },
    expected: { kind: 'denied', by: 'unknown', decision: 'escalate_to_legal', receiptId: 'rec_unknown' },
  },
  {
    name: 'an approval status this version does not know',
    resource: 'case:unknown-status',
    action: pending(5),
    approval: decided(5, 'withdrawn', { receipt_id: 'rec_withdrawn_5' }),
    expected: { kind: 'invalid_response' },
  },
]

/**
 * A gateway on loopback that answers each case: `POST /v1/agent-tool-call` by the request's
 * resource, `GET /v1/approvals/{id}` with the case's decided approval.
 */
export async function startDecisionGateway(): Promise<LocalServer> {
  return startServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway')
    if (request.method === 'POST' && url.pathname === '/v1/agent-tool-call') {
      const { resource } = JSON.parse(request.body) as { resource: string }
      const found = decisionCases.find((decisionCase) => decisionCase.resource === resource)
      if (found) return sendJson(response, 200, found.action)
    }
    const approvalId = /^\/v1\/approvals\/([^/]+)$/.exec(url.pathname)?.[1]
    if (request.method === 'GET' && approvalId !== undefined) {
      const found = decisionCases.find((decisionCase) => decisionCase.approval?.approval_id === approvalId)
      if (found) return sendJson(response, 200, found.approval)
    }
    sendJson(response, 404, {
      error: { code: 'not_found', message: `No case for ${request.method} ${url.pathname}` },
    })
  })
}
