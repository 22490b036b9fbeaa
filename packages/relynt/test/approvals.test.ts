import { UserAbortError } from '@x/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ActionDeniedError, ApprovalTimeoutError, RelyntError, RequestError } from '../src/errors.js'
import type { RelyntClient } from '../src/relynt-client.js'
import { deal, type Gateway, recordingFetch, startGateway } from './support/gateway.js'

let gateway: Gateway

beforeAll(async () => {
  gateway = await startGateway({
    connector: async (call) => {
      if (call.resource.endsWith(':broken')) throw new Error('CRM rejected the update')
      return { updated: call.resource }
    },
  })
})
afterAll(async () => {
  await gateway.close()
})

async function pendingApproval() {
  const client = gateway.client()
  const result = await client.requestAction(deal.needsApproval)
  expect(result.decision).toBe('pending_approval')
  return { client, result, approvalId: result.approvalId! }
}

describe('pollApproval over HTTP', () => {
  it('returns approved with the approver, the final receipt and the connector response', async () => {
    const { client, result, approvalId } = await pendingApproval()
    await gateway.sandbox.approve(approvalId, { approver: 'slack:U12345' })
    const approval = await client.pollApproval({ approvalId })
    expect(approval).toMatchObject({
      approvalId,
      status: 'approved',
      decidedBy: 'slack:U12345',
      toolResponse: { updated: 'crm:deal:123' },
    })
    expect(Date.parse(approval.decidedAt!)).not.toBeNaN()
    expect(approval.receiptId).toMatch(/^rec_/)
    expect(approval.receiptId).not.toBe(result.receiptId)
  })

  it("takes the approval id alone: pollApproval('apr_…')", async () => {
    const { client, approvalId } = await pendingApproval()
    await gateway.sandbox.deny(approvalId, { approver: 'slack:U1' })
    await expect(client.pollApproval(approvalId)).resolves.toMatchObject({ approvalId, status: 'denied' })
  })

  it('refuses ids that would change the path (., .., a /) before any request', async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ fetch })
    for (const id of ['.', '..', '../receipts', 'apr_1/../../admin']) {
      await expect(client.approvals.get(id)).rejects.toMatchObject({
        code: 'invalid_argument',
        param: 'approvalId',
      })
      await expect(client.pollApproval(id)).rejects.toMatchObject({
        code: 'invalid_argument',
        param: 'approvalId',
      })
      await expect(client.receipts.get(id)).rejects.toMatchObject({
        code: 'invalid_argument',
        param: 'receiptId',
      })
      await expect(client.receipts.verify(id)).rejects.toMatchObject({ code: 'invalid_argument' })
    }
    expect(requests).toHaveLength(0)
  })

  it("reports a connector failure after approval in the approval's error", async () => {
    const client = gateway.client()
    const result = await client.requestAction({ ...deal.needsApproval, resource: 'crm:deal:broken' })
    await gateway.sandbox.approve(result.approvalId!)
    const approval = await client.pollApproval({ approvalId: result.approvalId! })
    expect(approval.status).toBe('approved')
    expect(approval.error).toMatchObject({ code: 'connector_error' })
    expect(approval.error!.message).toContain('CRM rejected the update')
    expect((await client.receipts.get(approval.receiptId!)).decision).toBe('error')
  })

  it('keeps polling while pending and reports each poll to onPoll', async () => {
    const { client, approvalId } = await pendingApproval()
    const polls: [string, number][] = []
    const approval = await client.pollApproval({
      approvalId,
      onPoll: async (status, attempt) => {
        polls.push([status, attempt])
        if (attempt === 1) await gateway.sandbox.approve(approvalId)
      },
    })
    expect(approval.status).toBe('approved')
    expect(polls).toEqual([
      ['pending', 1],
      ['approved', 2],
    ])
  })

  it('returns denied as data, with who denied it and the final deny receipt', async () => {
    const { client, approvalId } = await pendingApproval()
    gateway.sandbox.deny(approvalId, { approver: 'slack:U999' })
    const approval = await client.pollApproval({ approvalId })
    expect(approval).toMatchObject({ status: 'denied', decidedBy: 'slack:U999' })
    const receipt = await client.receipts.get(approval.receiptId!)
    expect(receipt).toMatchObject({ decision: 'deny', approvalId, approver: 'slack:U999' })
    expect(approval.toolResponse).toBeUndefined()
  })

  it('returns expired as data once the server-side expiry passed', async () => {
    const { client, approvalId } = await pendingApproval()
    gateway.sandbox.setClockOffset(16 * 60_000)
    try {
      const approval = await client.pollApproval({ approvalId })
      expect(approval).toMatchObject({ approvalId, status: 'expired', decidedBy: null })
    } finally {
      gateway.sandbox.setClockOffset(0)
    }
  })

  it('throws ApprovalTimeoutError when its own budget runs out while still pending', async () => {
    const { client, approvalId } = await pendingApproval()
    const onPoll = vi.fn()
    const error = await client
      .pollApproval({ approvalId, timeoutMs: 200, onPoll })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApprovalTimeoutError)
    expect(error).toMatchObject({ approvalId, code: 'approval_timeout' })
    expect((error as ApprovalTimeoutError).waitedMs).toBeGreaterThanOrEqual(200)
    // A first poll, then a last one at the deadline.
    expect(onPoll).toHaveBeenCalledTimes(2)
    expect(
      gateway.sandbox.listApprovals({ status: 'pending' }).some((a) => a.approval_id === approvalId),
    ).toBe(true)
  })

  it('stops waiting with UserAbortError when the signal aborts mid-backoff', async () => {
    const { client, approvalId } = await pendingApproval()
    const controller = new AbortController()
    const onPoll = vi.fn(() => {
      setTimeout(() => controller.abort(), 20)
    })
    await expect(
      client.pollApproval({ approvalId, signal: controller.signal, timeoutMs: 600_000, onPoll }),
    ).rejects.toBeInstanceOf(UserAbortError)
    expect(onPoll).toHaveBeenCalledTimes(1)
  })

  it('sends nothing when the signal is already aborted', async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ fetch })
    await expect(
      client.pollApproval({ approvalId: 'apr_whatever', signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(UserAbortError)
    expect(requests).toHaveLength(0)
  })

  it('rejects an unknown approval with a not_found RequestError', async () => {
    const error = await gateway
      .client()
      .pollApproval({ approvalId: 'apr_does_not_exist' })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RequestError)
    expect(error).toMatchObject({ statusCode: 404, code: 'not_found' })
  })

  it('reads approvals from a configured path', async () => {
    const { approvalId } = await pendingApproval()
    gateway.sandbox.deny(approvalId)
    // A gateway that serves approvals under another path, emulated by rewriting it back.
    const { fetch, requests } = recordingFetch((url) => {
      url.pathname = url.pathname.replace('/custom/approval-status/', '/v1/approvals/')
      return url
    })
    const client = gateway.client({ fetch, approvalPath: '/custom/approval-status/{approvalId}' })
    expect((await client.approvals.get(approvalId)).status).toBe('denied')
    expect(requests).toHaveLength(1)
    expect(requests[0]!.method).toBe('GET')
    expect(requests[0]!.url.pathname).toBe(`/custom/approval-status/${approvalId}`)
  })

  it('retries a poll that hit a transient 503', async () => {
    const { client, approvalId } = await pendingApproval()
    gateway.sandbox.deny(approvalId)
    gateway.sandbox.injectFault({ route: 'GET /v1/approvals/*', status: 503 })
    await expect(client.pollApproval({ approvalId })).resolves.toMatchObject({ status: 'denied' })
  })
})

describe('approval statuses from other gateways', () => {
  /** A gateway whose approval endpoint answers from a script, one status per check. */
  function scriptedApprovals(statuses: string[]) {
    let checks = 0
    const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      if (request.method === 'POST') {
        return Response.json({ decision: 'pending_approval', receipt_id: 'rec_1', approval_id: 'apr_1' })
      }
      const status = statuses[Math.min(checks++, statuses.length - 1)]
      return Response.json({ approval_id: 'apr_1', status, decided_by: null, decided_at: null })
    })
    const client = gateway.client({ baseUrl: 'http://127.0.0.1:9', fetch })
    return { client, fetch }
  }

  it.each([
    ['pollApproval', (client: RelyntClient) => client.pollApproval({ approvalId: 'apr_1' })],
    ['approvals.poll', (client: RelyntClient) => client.approvals.poll({ approvalId: 'apr_1' })],
  ])('%s keeps waiting while the status reads pending_approval', async (_name, poll) => {
    const { client, fetch } = scriptedApprovals(['pending_approval', 'approved'])
    await expect(poll(client)).resolves.toMatchObject({ status: 'approved' })
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('guard turns an unknown approval status into invalid_response, not a denial, and runs nothing', async () => {
    const { client } = scriptedApprovals(['withdrawn'])
    const run = vi.fn()
    const error = await client.guard({ action: 'a', resource: 'r' }, run).catch((caught: unknown) => caught)
    expect(error).not.toBeInstanceOf(ActionDeniedError)
    expect(RelyntError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_response' })
    expect(run).not.toHaveBeenCalled()
  })
})
