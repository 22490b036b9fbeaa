import { UserAbortError } from '@x/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ActionDeniedError, ApprovalTimeoutError } from '../src/errors.js'
import type { Authorization } from '../src/guard.js'
import { deal, type Gateway, startGateway } from './support/gateway.js'

let gateway: Gateway

beforeAll(async () => {
  gateway = await startGateway({ connector: async (call) => ({ written: call.resource }) })
})
afterAll(async () => {
  await gateway.close()
})

describe('guard over HTTP', () => {
  it('runs the function at once on allow and returns its value with the authorization', async () => {
    const client = gateway.client()
    const run = vi.fn(async (authorization: Authorization) => `done under ${authorization.receiptId}`)
    const { value, authorization } = await client.guard(deal.allowed, run)
    expect(run).toHaveBeenCalledTimes(1)
    expect(run).toHaveBeenCalledWith(authorization)
    expect(value).toBe(`done under ${authorization.receiptId}`)
    expect(authorization).toMatchObject({
      decision: 'allow',
      toolResponse: { written: 'crm:deal:123' },
      reason: 'Action matches allow rule for update_deal',
      riskLevel: 'low',
      policyVersion: 'v1',
    })
    expect(authorization.receiptId).toMatch(/^rec_/)
    expect(authorization.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(authorization.approvalId).toBeUndefined()
  })

  it('waits for the approval on pending_approval, then runs the function', async () => {
    const client = gateway.client()
    const run = vi.fn((authorization: Authorization) => authorization.approval?.decidedBy)
    const { value, authorization } = await client.guard(
      {
        ...deal.needsApproval,
        onPoll: async (_status, attempt) => {
          if (attempt === 1) {
            expect(run).not.toHaveBeenCalled()
            const [pending] = gateway.sandbox
              .listApprovals({ status: 'pending' })
              .filter((approval) => approval.agent_id === gateway.agentId)
            await gateway.sandbox.approve(pending!.approval_id, { approver: 'slack:U42' })
          }
        },
      },
      run,
    )
    expect(run).toHaveBeenCalledTimes(1)
    expect(value).toBe('slack:U42')
    expect(authorization).toMatchObject({
      decision: 'allow',
      toolResponse: { written: 'crm:deal:123' },
      riskLevel: 'high',
      approval: { status: 'approved', decidedBy: 'slack:U42' },
    })
    expect(authorization.approvalId).toMatch(/^apr_/)
    // The authorization points at the final allow receipt, not the pending one.
    const receipt = await client.receipts.get(authorization.receiptId)
    expect(receipt).toMatchObject({
      decision: 'allow',
      approvalId: authorization.approvalId,
      approver: 'slack:U42',
    })
  })

  it('throws ActionDeniedError on deny without running the function', async () => {
    const run = vi.fn()
    const error = await gateway
      .client()
      .guard(deal.deniedField, run)
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ActionDeniedError)
    expect(error).toMatchObject({
      decision: 'deny',
      reason: 'Field owner_id is not allowed to be modified',
      approvalId: undefined,
    })
    expect((error as ActionDeniedError).receiptId).toMatch(/^rec_/)
    expect(run).not.toHaveBeenCalled()
  })

  it('throws ActionDeniedError when the approval is denied, without running the function', async () => {
    const run = vi.fn()
    const error = await gateway
      .client()
      .guard(
        {
          ...deal.needsApproval,
          onPoll: (_status, attempt) => {
            if (attempt === 1) denyPendingApprovals('slack:U7')
          },
        },
        run,
      )
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ActionDeniedError)
    expect(error).toMatchObject({ decision: 'denied', decidedBy: 'slack:U7' })
    expect((error as ActionDeniedError).approvalId).toMatch(/^apr_/)
    expect((error as Error).message).toContain('denied by slack:U7')
    const receipt = await gateway.client().receipts.get((error as ActionDeniedError).receiptId)
    expect(receipt.decision).toBe('deny')
    expect(run).not.toHaveBeenCalled()
  })

  it('throws ActionDeniedError when the approval expires, without running the function', async () => {
    const run = vi.fn()
    const error = await gateway
      .client()
      .guard(
        {
          ...deal.needsApproval,
          onPoll: (_status, attempt) => {
            if (attempt === 1) gateway.sandbox.setClockOffset(16 * 60_000)
          },
        },
        run,
      )
      .catch((caught: unknown) => caught)
      .finally(() => gateway.sandbox.setClockOffset(0))
    expect(error).toBeInstanceOf(ActionDeniedError)
    expect(error).toMatchObject({ decision: 'expired' })
    expect(run).not.toHaveBeenCalled()
  })

  it('lets ApprovalTimeoutError through when nobody decides in time, without running the function', async () => {
    const run = vi.fn()
    await expect(
      gateway.client().guard({ ...deal.needsApproval, timeoutMs: 100 }, run),
    ).rejects.toBeInstanceOf(ApprovalTimeoutError)
    expect(run).not.toHaveBeenCalled()
  })

  it('stops waiting when its signal aborts, without running the function', async () => {
    const run = vi.fn()
    const controller = new AbortController()
    await expect(
      gateway.client().guard(
        {
          ...deal.needsApproval,
          signal: controller.signal,
          onPoll: () => {
            controller.abort()
          },
        },
        run,
      ),
    ).rejects.toBeInstanceOf(UserAbortError)
    expect(run).not.toHaveBeenCalled()
  })

  it("passes the function's own error through unchanged", async () => {
    const failure = new Error('the CRM is down')
    await expect(
      gateway.client().guard(deal.allowed, () => {
        throw failure
      }),
    ).rejects.toBe(failure)
  })

  it('uses a given idempotency key, so a retried guard does not execute the action twice', async () => {
    const client = gateway.client()
    const first = await client.guard({ ...deal.allowed, idempotencyKey: 'guard-key-1' }, () => 1)
    const before = gateway.sandbox.stats()
    const second = await client.guard({ ...deal.allowed, idempotencyKey: 'guard-key-1' }, () => 2)
    expect(second.authorization).toEqual(first.authorization)
    expect(second.value).toBe(2)
    expect(gateway.sandbox.stats().connectorCalls).toBe(before.connectorCalls)
  })
})

function denyPendingApprovals(approver: string): void {
  for (const approval of gateway.sandbox.listApprovals({ status: 'pending' })) {
    if (approval.agent_id === gateway.agentId) gateway.sandbox.deny(approval.approval_id, { approver })
  }
}
