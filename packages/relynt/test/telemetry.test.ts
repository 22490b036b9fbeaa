import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { CursorPage } from '@x/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { childrenOf, spanNamed, startTracing, type Tracing } from '../../core/test/support/tracing.js'
import { ActionDeniedError, ApprovalTimeoutError } from '../src/errors.js'
import type { Approval } from '../src/schemas/approval.js'
import { deal, type Gateway, startGateway } from './support/gateway.js'

let gateway: Gateway
let tracing: Tracing
beforeAll(async () => {
  gateway = await startGateway({ connector: async (call) => ({ written: call.resource }) })
  tracing = startTracing()
})
afterAll(async () => {
  await tracing.stop()
  await gateway.close()
})
afterEach(() => {
  tracing.reset()
  gateway.sandbox.clearFaults()
})

/** Real HTTP to the sandbox, with an `x-request-id` added to each response as a gateway in front would. */
function withRequestIds(): typeof fetch {
  let count = 0
  return async (input, init) => {
    const response = await fetch(input, init)
    const headers = new Headers(response.headers)
    headers.set('x-request-id', `req_${++count}`)
    return new Response(response.body, { status: response.status, headers })
  }
}

/** Approves the awaited approval after the first poll, as `approver`. */
function approveOnFirstPoll(approver: string) {
  return async (_status: string, attempt: number, approval: Approval) => {
    if (attempt === 1) await gateway.sandbox.approve(approval.approvalId, { approver })
  }
}

describe('requestAction span', () => {
  it('records the decision, receipt, risk and policy version, with the POST as its child', async () => {
    const result = await gateway.client().requestAction(deal.allowed)
    const spans = tracing.spans()
    const span = spanNamed(spans, 'relynt.request_action')
    expect(span.attributes).toEqual({
      'relynt.action': 'update_deal',
      'relynt.decision': 'allow',
      'relynt.receipt_id': result.receiptId,
      'relynt.risk_level': 'low',
      'relynt.policy_version': 'v1',
      'relynt.retry_count': 0,
    })
    expect(span.instrumentationScope.name).toBe('@x/relynt')
    const [post] = childrenOf(spans, span)
    expect(post!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `${gateway.sandbox.url}/v1/agent-tool-call`,
      'http.response.status_code': 200,
    })
  })

  it('counts a retried attempt in retry_count', async () => {
    gateway.sandbox.injectFault({ route: 'POST /v1/agent-tool-call', status: 503, count: 1 })
    await gateway.client().requestAction(deal.allowed)
    const spans = tracing.spans()
    const span = spanNamed(spans, 'relynt.request_action')
    expect(span.attributes['relynt.retry_count']).toBe(1)
    expect(childrenOf(spans, span).map((attempt) => attempt.attributes['http.response.status_code'])).toEqual(
      [503, 200],
    )
  })
})

describe('guard and approval wait spans', () => {
  it('shows "pending, then approved by X after N ms" on the approval wait under the guard span', async () => {
    const { authorization } = await gateway
      .client()
      .guard({ ...deal.needsApproval, onPoll: approveOnFirstPoll('slack:U42') }, () => 'done')
    const spans = tracing.spans()
    const guard = spanNamed(spans, 'relynt.guard')
    expect(childrenOf(spans, guard).map((span) => span.name)).toEqual([
      'relynt.request_action',
      'relynt.approval.wait',
    ])
    const wait = spanNamed(spans, 'relynt.approval.wait')
    expect(wait.attributes).toMatchObject({
      'relynt.approval_id': authorization.approvalId,
      'relynt.approval.status': 'approved',
      'relynt.approval.decided_by': 'slack:U42',
      'relynt.receipt_id': authorization.receiptId,
      'relynt.approval.poll_count': 2,
    })
    const waitedMs = wait.attributes['relynt.approval.wait_ms']
    expect(waitedMs).toBeGreaterThanOrEqual(0)
    expect(wait.events.map((event) => event.attributes)).toEqual([
      {
        'relynt.approval.status': 'pending',
        'relynt.approval.poll_count': 1,
        'relynt.approval.wait_ms': expect.any(Number),
      },
      {
        'relynt.approval.status': 'approved',
        'relynt.approval.decided_by': 'slack:U42',
        'relynt.approval.poll_count': 2,
        'relynt.approval.wait_ms': waitedMs,
      },
    ])
    // The polls themselves are HTTP spans under the wait.
    expect(childrenOf(spans, wait).map((span) => span.name)).toEqual(['GET', 'GET'])
    expect(guard.attributes).toMatchObject({
      'relynt.action': 'update_deal',
      'relynt.decision': 'allow',
      'relynt.approval_id': authorization.approvalId,
      'relynt.receipt_id': authorization.receiptId,
      'relynt.guard.ran': true,
    })
    expect(spanNamed(spans, 'relynt.request_action').attributes).toMatchObject({
      'relynt.decision': 'pending_approval',
      'relynt.approval_id': authorization.approvalId,
    })
  })

  it('marks a denied guard with the decision and error type action_denied, the function not run', async () => {
    await expect(gateway.client().guard(deal.deniedField, () => 'never')).rejects.toBeInstanceOf(
      ActionDeniedError,
    )
    const guard = spanNamed(tracing.spans(), 'relynt.guard')
    expect(guard.attributes).toMatchObject({
      'relynt.decision': 'deny',
      'relynt.guard.ran': false,
      'error.type': 'action_denied',
    })
    expect(guard.status.code).toBe(2)
  })

  it('ends an approval wait that ran out of time with approval_timeout and the time waited', async () => {
    await expect(
      gateway.client().guard({ ...deal.needsApproval, timeoutMs: 50 }, () => 'never'),
    ).rejects.toBeInstanceOf(ApprovalTimeoutError)
    const wait = spanNamed(tracing.spans(), 'relynt.approval.wait')
    expect(wait.attributes).toMatchObject({
      'error.type': 'approval_timeout',
      'relynt.approval.timeout_ms': 50,
      'relynt.approval.wait_ms': expect.any(Number),
    })
  })

  it("records only the type of the guarded function's own error, not its message", async () => {
    await expect(
      gateway.client().guard(deal.allowed, () => {
        throw new TypeError('customer 4111-1111 not found')
      }),
    ).rejects.toBeInstanceOf(TypeError)
    const guard = spanNamed(tracing.spans(), 'relynt.guard')
    expect(guard.attributes).toMatchObject({ 'relynt.guard.ran': true, 'error.type': 'TypeError' })
    expect(JSON.stringify(exportedFields(guard))).not.toContain('4111')
  })

  it('records nothing with tracerProvider false', async () => {
    await gateway.client({ tracerProvider: false }).guard(deal.allowed, () => 1)
    expect(tracing.spans()).toEqual([])
  })
})

describe('withResponse()', () => {
  it('gives requestAction the result with the raw response and request id', async () => {
    const client = gateway.client({ fetch: withRequestIds() })
    const { data, response, requestId } = await client.requestAction(deal.allowed).withResponse()
    expect(data.decision).toBe('allow')
    expect(data.idempotencyKey).toEqual(expect.any(String))
    expect(response.status).toBe(200)
    expect(requestId).toMatch(/^req_\d+$/)
  })

  it('gives receipts.get, receipts.verify and simulate their responses too', async () => {
    const client = gateway.client({ fetch: withRequestIds() })
    const { receiptId } = await client.requestAction(deal.allowed)
    const receipt = await client.receipts.get(receiptId).withResponse()
    expect(receipt.data.receiptId).toBe(receiptId)
    expect(receipt.requestId).toMatch(/^req_\d+$/)
    const verified = await client.receipts.verify(receiptId).withResponse()
    expect(verified.data).toBe(true)
    expect(verified.response.ok).toBe(true)
    const simulation = await client.simulate(deal.deniedField).withResponse()
    expect(simulation.data.decision).toBe('deny')
    expect(simulation.response.status).toBe(200)
  })

  it('gives approvals.get the approval with its response', async () => {
    const client = gateway.client({ fetch: withRequestIds() })
    const { approvalId } = await client.requestAction(deal.needsApproval)
    const { data, response, requestId } = await client.approvals.get(approvalId!).withResponse()
    expect(data).toMatchObject({ approvalId, status: 'pending' })
    expect(response.status).toBe(200)
    expect(requestId).toMatch(/^req_\d+$/)
  })

  it('gives the first receipt page with its response', async () => {
    const client = gateway.client({ fetch: withRequestIds() })
    await client.requestAction(deal.allowed)
    const { data, requestId } = await client.receipts.list({ limit: 2 }).withResponse()
    expect(data).toBeInstanceOf(CursorPage)
    expect(data.length).toBeGreaterThan(0)
    expect(requestId).toMatch(/^req_\d+$/)
  })
})

describe('secrets', () => {
  it('never puts the agent secret or the Authorization header in a span', async () => {
    const authorizations = new Set<string>()
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init)
      const authorization = request.headers.get('authorization')
      if (authorization) authorizations.add(authorization)
      return fetch(request)
    }
    const client = gateway.client({ fetch: recording })
    await client.guard({ ...deal.needsApproval, onPoll: approveOnFirstPoll('slack:U9') }, () => 1)
    await client.guard(deal.deniedField, () => 1).catch(() => {})
    await client.simulate(deal.allowed)
    const spans = tracing.spans()
    expect(spans.length).toBeGreaterThan(5)
    const exported = JSON.stringify(spans.map(exportedFields))
    expect(authorizations.size).toBe(1)
    for (const secret of [gateway.secret, ...authorizations]) expect(exported).not.toContain(secret)
  })
})

function exportedFields(span: ReadableSpan) {
  return {
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    status: span.status,
  }
}
