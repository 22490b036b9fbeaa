import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RequestError } from '../src/errors.js'
import { computeRequestHash } from '../src/request-hash.js'
import { deal, type Gateway, startGateway } from './support/gateway.js'

let gateway: Gateway

beforeAll(async () => {
  gateway = await startGateway({ connector: 'echo' })
})
afterAll(async () => {
  await gateway.close()
})

describe('receipts over HTTP', () => {
  it('gets the full receipt of a decision in camelCase', async () => {
    const client = gateway.client({ instanceId: 'run-receipts-1' })
    const result = await client.requestAction(deal.allowed)
    const receipt = await client.receipts.get(result.receiptId)
    expect(receipt).toMatchObject({
      receiptId: result.receiptId,
      organizationId: gateway.sandbox.organizationId,
      agentId: gateway.agentId,
      instanceId: 'run-receipts-1',
      action: 'update_deal',
      resource: 'crm:deal:123',
      decision: 'allow',
      riskLevel: 'low',
      policyVersion: 'v1',
      idempotencyKey: result.idempotencyKey,
    })
    expect(receipt.requestHash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(receipt.responseHash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(receipt.signature).toMatch(/^hmac-sha256:[0-9a-f]{64}$/)
    expect(Date.parse(receipt.createdAt)).not.toBeNaN()
  })

  it('verifies an untouched receipt and detects one altered after signing', async () => {
    const client = gateway.client()
    const result = await client.requestAction(deal.deniedField)
    expect(await client.receipts.verify(result.receiptId)).toBe(true)
    gateway.sandbox.tamperReceipt(result.receiptId, 'decision', 'allow')
    expect(await client.receipts.verify(result.receiptId)).toBe(false)
  })

  it('recomputes request_hash from what was sent, and notices a request that differs', async () => {
    const client = gateway.client()
    const result = await client.requestAction(deal.allowed)
    const receipt = await client.receipts.get(result.receiptId)

    expect(await client.receipts.verifyRequestHash(receipt, deal.allowed)).toBe(true)
    expect(await client.receipts.verifyRequestHash(result.receiptId, deal.allowed)).toBe(true)
    expect(await computeRequestHash({ instance_id: client.instanceId, ...deal.allowed })).toBe(
      receipt.requestHash,
    )

    expect(
      await client.receipts.verifyRequestHash(receipt, {
        ...deal.allowed,
        payload: { amount: 9_999, previous_amount: 4_000 },
      }),
    ).toBe(false)
    expect(
      await client.receipts.verifyRequestHash(receipt, { ...deal.allowed, instanceId: 'another-run' }),
    ).toBe(false)
  })

  it('checks the request hash of a receipt from another client by its instance id', async () => {
    const writer = gateway.client({ instanceId: 'run-writer' })
    const result = await writer.requestAction({ action: 'close_ticket', resource: 'support:ticket:9' })
    const auditor = gateway.client()
    expect(
      await auditor.receipts.verifyRequestHash(result.receiptId, {
        action: 'close_ticket',
        resource: 'support:ticket:9',
        instanceId: 'run-writer',
      }),
    ).toBe(true)
  })

  it('catches a tampered request_hash both locally and on the gateway', async () => {
    const client = gateway.client()
    const result = await client.requestAction(deal.allowed)
    const forged = await computeRequestHash({ instance_id: client.instanceId, ...deal.deniedField })
    gateway.sandbox.tamperReceipt(result.receiptId, 'request_hash', forged)
    expect(await client.receipts.verifyRequestHash(result.receiptId, deal.allowed)).toBe(false)
    expect(await client.receipts.verify(result.receiptId)).toBe(false)
  })

  it('lists receipts with filters', async () => {
    const client = gateway.client({ instanceId: 'run-list' })
    const allowed = await client.requestAction({ action: 'close_ticket', resource: 'support:ticket:list-1' })
    const denied = await client.requestAction({ action: 'delete_record', resource: 'support:ticket:list-1' })

    const all = await client.receipts.list({ search: 'support:ticket:list-1' })
    expect(all.data.map((summary) => summary.receiptId).sort()).toEqual(
      [allowed.receiptId, denied.receiptId].sort(),
    )
    expect(all.data.find((summary) => summary.receiptId === denied.receiptId)).toMatchObject({
      action: 'delete_record',
      resource: 'support:ticket:list-1',
      decision: 'deny',
      riskLevel: 'high',
      instanceId: 'run-list',
      agentId: gateway.agentId,
    })

    const onlyDenied = await client.receipts.list({ search: 'support:ticket:list-1', decision: 'deny' })
    expect(onlyDenied.data.map((summary) => summary.receiptId)).toEqual([denied.receiptId])
    const onlyHigh = await client.receipts.list({
      search: 'list-1',
      riskLevel: 'high',
      agentId: gateway.agentId,
    })
    expect(onlyHigh.data.map((summary) => summary.receiptId)).toEqual([denied.receiptId])
    const future = await client.receipts.list({ search: 'list-1', from: new Date(Date.now() + 3_600_000) })
    expect(future.data).toEqual([])
    const past = await client.receipts.list({ search: 'list-1', to: '2000-01-01T00:00:00Z' })
    expect(past.data).toEqual([])
  })

  it('rejects an unknown receipt with a not_found RequestError', async () => {
    const error = await gateway
      .client()
      .receipts.get('rec_missing')
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RequestError)
    expect(error).toMatchObject({ statusCode: 404, code: 'not_found' })
  })
})

describe('simulate over HTTP', () => {
  it('reports what the policy would decide, with the matched rule, and changes nothing', async () => {
    const client = gateway.client()
    const before = gateway.sandbox.stats()
    const simulation = await client.simulate(deal.needsApproval)
    const after = gateway.sandbox.stats()
    expect(simulation).toEqual({
      decision: 'pending_approval',
      riskLevel: 'high',
      requiresApproval: true,
      reason: 'Stage closed_won requires approval',
      policyVersion: 'v1',
      matchedRule: {
        index: 3,
        action: 'update_deal',
        resourcePattern: 'crm:deal:*',
        decision: 'require_approval',
        riskLevel: 'high',
        conditions: { requireApprovalIfStage: ['closed_won', 'closed_lost'] },
      },
      instanceId: client.instanceId,
    })
    expect(after.simulations - before.simulations).toBe(1)
    expect(after.receipts).toBe(before.receipts)
    expect(after.connectorCalls).toBe(before.connectorCalls)
    expect(after.approvals).toEqual(before.approvals)
  })

  it('retries a simulation answered 503, since it changes nothing server-side', async () => {
    const client = gateway.client()
    gateway.sandbox.injectFault({ route: 'POST /v1/policy-simulator', status: 503 })
    const before = gateway.sandbox.stats()
    expect(await client.simulate(deal.deniedField)).toMatchObject({ decision: 'deny' })
    expect(gateway.sandbox.stats().simulations - before.simulations).toBe(1)
  })

  it('reports a denial and a missing rule', async () => {
    const client = gateway.client()
    expect(await client.simulate(deal.deniedField)).toMatchObject({
      decision: 'deny',
      requiresApproval: false,
      reason: 'Field owner_id is not allowed to be modified',
    })
    expect(await client.simulate({ action: 'launch_rocket', resource: 'space:rocket:1' })).toMatchObject({
      decision: 'deny',
      reason: 'No matching rule',
      matchedRule: null,
    })
  })
})
