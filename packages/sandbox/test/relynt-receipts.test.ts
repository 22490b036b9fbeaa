import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  dealUpdate,
  expectedRequestHash,
  getJson,
  postJson,
  type RelyntFixture,
  startFixture,
  toolCallJson,
} from './relynt-test-helpers.js'

let fixture: RelyntFixture

beforeEach(async () => {
  fixture = await startFixture()
})
afterEach(async () => {
  await fixture.sandbox.close()
})

type Summary = { receipt_id: string; decision: string; risk_level: string; agent_id: string }
const listReceipts = async (query = '') =>
  ((await getJson(fixture, `/v1/receipts${query}`)).body.receipts as Summary[]).map(
    (receipt) => receipt.receipt_id,
  )

describe('receipts', () => {
  it('carries every spec field, a sha256 request_hash of the JCS body and an hmac signature', async () => {
    const sent = {
      payload: { previous_amount: 50000, amount: 5200 },
      resource: 'crm:deal:123',
      action: 'update_deal',
      instance_id: 'run-abc-123',
    }
    const { body } = await toolCallJson(fixture, sent, { idempotencyKey: 'key-1' })
    const receipt = await getJson(fixture, `/v1/receipts/${body.receipt_id}`)
    expect(receipt.status).toBe(200)
    expect(receipt.body).toEqual({
      receipt_id: body.receipt_id,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      organization_id: 'org_sandbox',
      agent_id: fixture.agentId,
      instance_id: 'run-abc-123',
      action: 'update_deal',
      resource: 'crm:deal:123',
      policy_version: 'v1',
      decision: 'allow',
      risk_level: 'low',
      request_hash: expectedRequestHash(sent),
      signature: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      idempotency_key: 'key-1',
      reason: 'Action matches allow rule for update_deal',
    })
  })

  it('verifies an untouched receipt as valid', async () => {
    const { body } = await toolCallJson(fixture, dealUpdate({ amount: 1 }))
    expect((await getJson(fixture, `/v1/receipts/${body.receipt_id}/verify`)).body).toEqual({ valid: true })
  })

  it('verifies a receipt as invalid once a signed field was tampered with', async () => {
    const { body } = await toolCallJson(fixture, dealUpdate({ owner_id: 'x' }))
    fixture.sandbox.tamperReceipt(body.receipt_id as string, 'decision', 'allow')
    expect((await getJson(fixture, `/v1/receipts/${body.receipt_id}/verify`)).body).toEqual({ valid: false })
  })

  it('detects a rewritten request_hash or signature, and tampering through the admin API', async () => {
    const ids: string[] = []
    for (let index = 0; index < 3; index++)
      ids.push((await toolCallJson(fixture, dealUpdate({ amount: index }))).body.receipt_id as string)
    fixture.sandbox.tamperReceipt(ids[0]!, 'request_hash', expectedRequestHash({ other: true }))
    fixture.sandbox.tamperReceipt(ids[1]!, 'signature', `hmac-sha256:${'0'.repeat(64)}`)
    await postJson(fixture, `/__admin/receipts/${ids[2]}/tamper`, {
      field: 'agent_id',
      value: 'agt_someone_else',
    })
    for (const id of ids)
      expect((await getJson(fixture, `/v1/receipts/${id}/verify`)).body).toEqual({ valid: false })
  })

  it('filters the list by decision, risk_level, agent_id and search, newest first', async () => {
    const allow = (await toolCallJson(fixture, dealUpdate({ amount: 1 }))).body.receipt_id
    const deny = (await toolCallJson(fixture, dealUpdate({ owner_id: 'x' }, 'crm:deal:777'))).body.receipt_id
    const pending = (await toolCallJson(fixture, dealUpdate({ stage: 'closed_won' }))).body.receipt_id
    const other = fixture.sandbox.createAgent()
    const otherAuthorization = `Bearer ${other.secret}`
    const othersReceipt = (
      await toolCallJson(fixture, dealUpdate({ amount: 2 }), { authorization: otherAuthorization })
    ).body.receipt_id

    expect(await listReceipts()).toEqual([othersReceipt, pending, deny, allow])
    expect(await listReceipts('?decision=deny')).toEqual([deny])
    expect(await listReceipts('?risk_level=high')).toEqual([pending])
    expect(await listReceipts(`?agent_id=${other.agentId}`)).toEqual([othersReceipt])
    expect(await listReceipts('?search=DEAL:777')).toEqual([deny])
    expect(await listReceipts('?decision=allow&risk_level=low')).toEqual([othersReceipt, allow])
  })

  it('filters by from/to on the server clock', async () => {
    const early = (await toolCallJson(fixture, dealUpdate({ amount: 1 }))).body.receipt_id
    fixture.sandbox.setClockOffset(60 * 60 * 1000)
    const late = (await toolCallJson(fixture, dealUpdate({ amount: 2 }))).body.receipt_id
    const boundary = new Date(Date.now() + 30 * 60 * 1000).toISOString()
    expect(await listReceipts(`?from=${boundary}`)).toEqual([late])
    expect(await listReceipts(`?to=${boundary}`)).toEqual([early])
  })

  it('summarises receipts in the list without hashes or signature', async () => {
    await toolCallJson(fixture, dealUpdate({ amount: 1 }))
    const [summary] = (await getJson(fixture, '/v1/receipts')).body.receipts as Record<string, unknown>[]
    expect(summary).toMatchObject({ decision: 'allow', action: 'update_deal', agent_id: fixture.agentId })
    expect(summary).not.toHaveProperty('signature')
  })

  it('rejects bad filters with 400 and unknown receipts with 404', async () => {
    expect((await getJson(fixture, '/v1/receipts?decision=maybe')).status).toBe(400)
    expect((await getJson(fixture, '/v1/receipts?risk_level=extreme')).status).toBe(400)
    expect((await getJson(fixture, '/v1/receipts?from=yesterday')).status).toBe(400)
    const missing = await getJson(fixture, '/v1/receipts/rec_missing')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } })
    expect((await getJson(fixture, '/v1/receipts/rec_missing/verify')).status).toBe(404)
  })

  it('answers a page of receipts with a cursor to the next, and follows it to the end', async () => {
    const ids: string[] = []
    for (let index = 0; index < 5; index++)
      ids.push((await toolCallJson(fixture, dealUpdate({ amount: index }))).body.receipt_id as string)
    const newestFirst = [...ids].reverse()

    const first = (await getJson(fixture, '/v1/receipts?limit=2')).body
    expect(first).toMatchObject({ has_more: true, next_cursor: expect.any(String) })
    // A receipt written between two pages does not shift the next one.
    await toolCallJson(fixture, dealUpdate({ amount: 99 }))
    const second = (await getJson(fixture, `/v1/receipts?limit=2&cursor=${first.next_cursor}`)).body
    const third = (await getJson(fixture, `/v1/receipts?limit=2&cursor=${second.next_cursor}`)).body
    expect(third).toMatchObject({ has_more: false, next_cursor: null })

    const pages = [first, second, third].map((page) => (page.receipts as Summary[]).map((r) => r.receipt_id))
    expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)])
  })

  it('applies the filters on every page', async () => {
    for (let index = 0; index < 3; index++) {
      await toolCallJson(fixture, dealUpdate({ owner_id: index }))
      await toolCallJson(fixture, dealUpdate({ amount: index }))
    }
    const first = (await getJson(fixture, '/v1/receipts?decision=deny&limit=2')).body
    const second = (await getJson(fixture, `/v1/receipts?decision=deny&limit=2&cursor=${first.next_cursor}`))
      .body
    const decisions = [first, second].flatMap((page) => (page.receipts as Summary[]).map((r) => r.decision))
    expect(decisions).toEqual(['deny', 'deny', 'deny'])
    expect(second.has_more).toBe(false)
  })

  it('rejects a bad page size or a cursor that points nowhere with 400', async () => {
    for (const limit of ['0', '201', '2.5', 'ten'])
      expect((await getJson(fixture, `/v1/receipts?limit=${limit}`)).status).toBe(400)
    const stray = Buffer.from('rec_missing').toString('base64url')
    expect((await getJson(fixture, `/v1/receipts?cursor=${stray}`)).status).toBe(400)
  })
})

describe('receipt signature', () => {
  /** The fields the docs' receipt-verification page lists, then the ones the sandbox adds. */
  const signedFields = [
    'receipt_id',
    'created_at',
    'organization_id',
    'agent_id',
    'instance_id',
    'action',
    'resource',
    'decision',
    'risk_level',
    'policy_version',
    'request_hash',
    'response_hash',
    'approval_id',
    'idempotency_key',
    'approver',
    'reason',
  ]

  /** The final receipt of an approved action: every optional field is present on it. */
  async function approvedReceipt(): Promise<Record<string, unknown>> {
    const pending = (await toolCallJson(fixture, dealUpdate({ stage: 'closed_won' }))).body
    await fixture.sandbox.approve(pending.approval_id as string, { approver: 'slack:U12345' })
    const approval = fixture.sandbox
      .listApprovals()
      .find((candidate) => candidate.approval_id === pending.approval_id)
    return (await getJson(fixture, `/v1/receipts/${approval?.receipt_id}`)).body
  }

  const verify = async (receiptId: unknown) =>
    (await getJson(fixture, `/v1/receipts/${String(receiptId)}/verify`)).body.valid

  it.each(signedFields)(
    'fails verification once %s is changed, and passes once it is restored',
    async (field) => {
      const receipt = await approvedReceipt()
      const id = receipt.receipt_id as string
      expect(await verify(id)).toBe(true)
      const original = receipt[field]
      const altered = typeof original === 'string' ? `${original}x` : 'sha256:added-after-signing'
      fixture.sandbox.tamperReceipt(id, field, altered)
      expect(await verify(id)).toBe(false)
      fixture.sandbox.tamperReceipt(id, field, original)
      expect(await verify(id)).toBe(true)
    },
  )
})
