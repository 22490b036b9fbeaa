import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectorCall } from '../src/relynt/tool-connector.js'
import {
  dealUpdate,
  getJson,
  postJson,
  type RelyntFixture,
  startFixture,
  toolCallJson,
  waitForDecision,
} from './relynt-test-helpers.js'

let fixture: RelyntFixture

afterEach(async () => {
  await fixture.sandbox.close()
})

const closeDeal = dealUpdate({ stage: 'closed_won', amount: 500 })

async function requestApproval() {
  const { status, body } = await toolCallJson(fixture, closeDeal)
  expect(status).toBe(200)
  expect(body.decision).toBe('pending_approval')
  return body as { approval_id: string; receipt_id: string }
}

describe('approval lifecycle', () => {
  it('stays pending until approved, then runs the connector once and writes a final allow receipt', async () => {
    const calls: ConnectorCall[] = []
    fixture = await startFixture({
      connector: async (call) => {
        calls.push(call)
        return { deal: 'closed' }
      },
    })
    const pending = await requestApproval()
    expect(calls).toHaveLength(0)
    const polled = await getJson(fixture, `/v1/approvals/${pending.approval_id}`)
    expect(polled.body).toMatchObject({
      approval_id: pending.approval_id,
      status: 'pending',
      decided_by: null,
      decided_at: null,
    })
    expect(polled.body).not.toHaveProperty('receipt_id')

    await fixture.sandbox.approve(pending.approval_id, { approver: 'slack:U12345' })

    const approved = await getJson(fixture, `/v1/approvals/${pending.approval_id}`)
    expect(approved.body).toMatchObject({
      status: 'approved',
      decided_by: 'slack:U12345',
      decided_at: expect.any(String),
      tool_response: { deal: 'closed' },
    })
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ approval_id: pending.approval_id, action: 'update_deal' })
    const finalReceipt = await getJson(fixture, `/v1/receipts/${approved.body.receipt_id}`)
    expect(finalReceipt.body).toMatchObject({
      decision: 'allow',
      approval_id: pending.approval_id,
      approver: 'slack:U12345',
      response_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    })
    expect(finalReceipt.body.receipt_id).not.toBe(pending.receipt_id)
    const original = await getJson(fixture, `/v1/receipts/${pending.receipt_id}`)
    expect(original.body).toMatchObject({ decision: 'pending_approval', approval_id: pending.approval_id })
  })

  it('writes a final deny receipt on deny and runs no connector', async () => {
    let connectorCalls = 0
    fixture = await startFixture({
      connector: async () => {
        connectorCalls += 1
        return {}
      },
    })
    const pending = await requestApproval()
    fixture.sandbox.deny(pending.approval_id, { approver: 'slack:U777' })
    const denied = await getJson(fixture, `/v1/approvals/${pending.approval_id}`)
    expect(denied.body).toMatchObject({ status: 'denied', decided_by: 'slack:U777' })
    expect(denied.body).not.toHaveProperty('tool_response')
    const receipt = await getJson(fixture, `/v1/receipts/${denied.body.receipt_id}`)
    expect(receipt.body).toMatchObject({ decision: 'deny', approval_id: pending.approval_id })
    expect(connectorCalls).toBe(0)
  })

  it('expires an undecided approval after approvalTtlMs of server time', async () => {
    fixture = await startFixture({ approvalTtlMs: 1_000 })
    const pending = await requestApproval()
    fixture.sandbox.setClockOffset(1_001)
    expect((await getJson(fixture, `/v1/approvals/${pending.approval_id}`)).body).toMatchObject({
      status: 'expired',
    })
    expect(() => fixture.sandbox.deny(pending.approval_id)).toThrow(/expired/)
    expect(fixture.sandbox.stats().approvals).toMatchObject({ expired: 1, pending: 0 })
  })

  it('refuses to decide an approval twice', async () => {
    fixture = await startFixture()
    const pending = await requestApproval()
    await fixture.sandbox.approve(pending.approval_id)
    expect(() => fixture.sandbox.deny(pending.approval_id)).toThrow(/approved/)
    const again = await postJson(fixture, `/__admin/approvals/${pending.approval_id}/approve`, {})
    expect(again.status).toBe(409)
  })

  it('decides automatically with autoDecision', async () => {
    fixture = await startFixture({
      autoDecision: { afterMs: 0, decision: 'approve', approver: 'slack:UBOT' },
      connector: 'echo',
    })
    const pending = await requestApproval()
    const decided = await waitForDecision(fixture, pending.approval_id)
    expect(decided).toMatchObject({
      status: 'approved',
      decided_by: 'slack:UBOT',
      tool_response: { echo: { action: 'update_deal' } },
    })
  })

  it('denies automatically with autoDecision deny', async () => {
    fixture = await startFixture({ autoDecision: { afterMs: 0, decision: 'deny' } })
    const pending = await requestApproval()
    expect(await waitForDecision(fixture, pending.approval_id)).toMatchObject({
      status: 'denied',
      decided_by: 'sandbox:auto',
    })
  })

  it('is driven by another process through the admin API', async () => {
    fixture = await startFixture({ connector: 'echo' })
    const first = await requestApproval()
    const second = (await toolCallJson(fixture, dealUpdate({ stage: 'closed_lost' }, 'crm:deal:9'))).body as {
      approval_id: string
    }
    const listed = await getJson(fixture, '/__admin/approvals?status=pending')
    expect(
      (listed.body.approvals as { approval_id: string }[]).map((approval) => approval.approval_id).sort(),
    ).toEqual([first.approval_id, second.approval_id].sort())
    const approved = await postJson(fixture, `/__admin/approvals/${first.approval_id}/approve`, {
      approver: 'slack:U1',
    })
    expect(approved.body).toMatchObject({
      status: 'approved',
      decided_by: 'slack:U1',
      receipt_id: expect.any(String),
    })
    const denied = await postJson(fixture, `/__admin/approvals/${second.approval_id}/deny`, {})
    expect(denied.body).toMatchObject({ status: 'denied' })
    expect((await getJson(fixture, '/__admin/approvals?status=pending')).body.approvals).toEqual([])
    expect((await postJson(fixture, '/__admin/approvals/apr_missing/approve', {})).status).toBe(404)
    expect((await getJson(fixture, '/__admin/approvals?status=weird')).status).toBe(400)
  })

  it('answers 404 not_found for an unknown approval', async () => {
    fixture = await startFixture()
    const response = await getJson(fixture, '/v1/approvals/apr_unknown')
    expect(response.status).toBe(404)
    expect(response.body).toMatchObject({ error: { code: 'not_found' } })
  })

  it('replays the original pending response for the same key after the approval', async () => {
    fixture = await startFixture()
    const key = 'approval-replay-key'
    const first = await toolCallJson(fixture, closeDeal, { idempotencyKey: key })
    await fixture.sandbox.approve(first.body.approval_id as string)
    const replay = await toolCallJson(fixture, closeDeal, { idempotencyKey: key })
    expect(replay.body).toEqual(first.body)
  })
})
