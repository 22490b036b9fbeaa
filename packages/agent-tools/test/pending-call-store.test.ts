import { DEFAULT_REQUEST_TIMEOUT_MSEC } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { RelyntClient } from '@x/relynt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  type AgentTool,
  createAgentTools,
  createRedisPendingCallStore,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  guardedTool,
  MemoryPendingCallStore,
  type PendingApprovalOutcome,
  type PendingCall,
  type PendingCallStore,
  PendingCallStoreError,
  type ToolOutcome,
} from '../src/index.js'
import { inFlight } from './support/in-flight.js'
import { type RedisServer, redisAvailable, startRedisServer } from './support/redis-server.js'
import { paymentsFor, type Services, startServices } from './support/services.js'

function approvalIdOf(outcome: ToolOutcome): string {
  if (outcome.status !== 'pending_approval')
    throw new Error(`expected pending_approval, got ${outcome.status}`)
  return (outcome as PendingApprovalOutcome).approvalId
}

const call = (approvalId: string): PendingCall => ({
  approvalId,
  toolName: 'ralio_pay',
  input: { amount: '1500.00', currency: 'GBP', payee: 'Northwind Logistics', reference: 'x' },
  idempotencyKey: 'key-1',
  sessionId: 'session-1',
  toolCallId: 'call_1',
  receiptId: 'rcpt_1',
  createdAt: Date.now(),
})

describe('the default wait for a person', () => {
  it('ends before 45 s, inside the MCP client default request timeout', async () => {
    expect(DEFAULT_APPROVAL_TIMEOUT_MS).toBeLessThan(45_000)
    expect(DEFAULT_APPROVAL_TIMEOUT_MS).toBeLessThan(DEFAULT_REQUEST_TIMEOUT_MSEC)
    // What a tool built without approvalTimeoutMs really asks the client for.
    const waits: number[] = []
    const relynt = {
      instanceId: 'run-1',
      approvals: { get: async () => ({}) as never },
      requestAction: async () => ({
        decision: 'pending_approval' as const,
        receiptId: 'rcpt_p',
        approvalId: 'apr_default',
        idempotencyKey: 'k',
        instanceId: 'run-1',
      }),
      pollApproval: async (options: { timeoutMs?: number }) => {
        waits.push(options.timeoutMs!)
        return { approvalId: 'apr_default', status: 'denied' as const, decidedBy: 'x', decidedAt: null }
      },
    } as unknown as Pick<RelyntClient, 'instanceId' | 'requestAction' | 'pollApproval' | 'approvals'>
    const tool = guardedTool(relynt, {
      name: 'pay_supplier',
      description: 'Pay a supplier.',
      input: z.object({ amount: z.number() }),
      action: 'ralio.pay',
      resource: () => 'ralio:payee:acme',
      execute: () => 'paid',
    })
    await tool.run({ amount: 1 })
    expect(waits).toEqual([DEFAULT_APPROVAL_TIMEOUT_MS])
  })
})

const stores: Array<
  [string, () => Promise<{ one: PendingCallStore; two: PendingCallStore; close(): Promise<void> }>]
> = [
  [
    'MemoryPendingCallStore',
    async () => {
      const store = new MemoryPendingCallStore()
      return { one: store, two: store, close: async () => {} }
    },
  ],
]
let redis: RedisServer | undefined
if (redisAvailable) {
  stores.push([
    'the Redis store (two connections, as two replicas)',
    async () => {
      const keyPrefix = `test-${crypto.randomUUID()}:`
      const one = await createRedisPendingCallStore({ url: redis!.url, keyPrefix })
      const two = await createRedisPendingCallStore({ url: redis!.url, keyPrefix })
      return { one, two, close: async () => void (await Promise.all([one.close?.(), two.close?.()])) }
    },
  ])
}

beforeAll(async () => {
  if (redisAvailable) redis = await startRedisServer()
})
afterAll(() => redis?.close())

describe.each(stores)('%s', (_name, open) => {
  it('keeps a call until its TTL, returns it as saved, and forgets it on delete', async () => {
    const { one, two, close } = await open()
    try {
      const kept = call('apr_keep')
      await one.put(kept, 60_000)
      expect(await two.get('apr_keep')).toEqual(kept)
      await one.put(call('apr_short'), 50)
      await new Promise((resolve) => setTimeout(resolve, 120))
      expect(await two.get('apr_short')).toBeUndefined()
      await two.delete('apr_keep')
      expect(await one.get('apr_keep')).toBeUndefined()
    } finally {
      await close()
    }
  })

  it('grants the claim on an approval to exactly one of many concurrent callers', async () => {
    const { one, two, close } = await open()
    try {
      const claims = await Promise.all(
        Array.from({ length: 40 }, (_, index) => (index % 2 ? one : two).claim('apr_claim', 60_000)),
      )
      expect(claims.filter(Boolean)).toHaveLength(1)
      await one.delete('apr_claim')
      expect(await two.claim('apr_claim', 60_000)).toBe(true)
    } finally {
      await close()
    }
  })
})

describe.skipIf(!redisAvailable)('guarded tools over a Redis store', () => {
  let services: Services
  beforeAll(async () => {
    // Enough money for every payment below: the ledger, not the balance, decides what is asserted.
    services = await startServices({ ralio: { startingBalance: '100000000.00' } })
  })
  afterAll(() => services?.close())

  /** One replica: its own Relynt client and its own connection to the shared Redis. */
  async function replica(keyPrefix: string) {
    const relynt = services.newRelyntClient()
    const store = await createRedisPendingCallStore({ url: redis!.url, keyPrefix })
    const tools = createAgentTools({
      ralio: services.ralioClient,
      relynt,
      pending: 'defer',
      pendingCalls: store,
    })
    const byName = (name: string) => tools.find((tool) => tool.name === name) as AgentTool
    return {
      pay: byName('ralio_pay'),
      check: byName('relynt_check_approval'),
      async close() {
        await store.close?.()
        relynt.close()
      },
    }
  }
  const paidFor = (reference: string) => paymentsFor(services, reference)

  it('answers a typed store_unavailable error while Redis is down, pays nothing, and pays once after it is back', async () => {
    const one = await replica(`stopped-${crypto.randomUUID()}:`)
    try {
      const pending = await one.pay.run(
        { amount: '1500.00', currency: 'GBP', payee: 'Northwind Logistics', reference: 'redis outage' },
        { toolCallId: 'call_outage', sessionId: 'session-a' },
      )
      const approvalId = approvalIdOf(pending)
      await redis!.stop()
      await services.approve(approvalId)
      const during = await one.check.run({ approvalId })
      expect(during).toMatchObject({ status: 'failed', error: { code: 'store_unavailable' } })
      expect(paidFor('redis outage')).toHaveLength(0)
      await expect(
        createRedisPendingCallStore({ url: redis!.url }).then((store) => store.close?.()),
      ).rejects.toSatisfy(
        (error) => PendingCallStoreError.isInstance(error) && error.code === 'store_unavailable',
      )

      await redis!.start()
      // The client reconnects on its own; the call it kept in Redis is still there.
      let after: ToolOutcome | undefined
      for (let attempt = 0; attempt < 50; attempt += 1) {
        after = await one.check.run({ approvalId })
        if (after.status !== 'failed') break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(after).toMatchObject({ status: 'paid', approvalId })
      expect(await one.check.run({ approvalId })).toEqual(after)
      expect(paidFor('redis outage')).toHaveLength(1)
    } finally {
      await one.close()
    }
  })

  it('1 000 calls pending at once across two replicas each pay exactly once after approval', {
    timeout: 120_000,
  }, async () => {
    const keyPrefix = `bulk-${crypto.randomUUID()}:`
    const [one, two] = await Promise.all([replica(keyPrefix), replica(keyPrefix)])
    try {
      const count = 1000
      const references = Array.from({ length: count }, (_, index) => `bulk ${index}`)
      // At most 200 calls in flight: 1 000 connections opened at once overflow the listen backlog
      // of the in-process sandbox on a busy machine, and a dropped SYN waits out undici's connect
      // timeout. Every call is still pending at the same time before anyone approves.
      const pending = await inFlight(200, references, (reference, index) =>
        (index % 2 ? one : two).pay.run(
          { amount: '1500.00', currency: 'GBP', payee: 'Northwind Logistics', reference },
          { toolCallId: `call_${index}`, sessionId: `session-${index % 2}` },
        ),
      )
      const approvalIds = pending.map(approvalIdOf)
      expect(new Set(approvalIds).size).toBe(count)
      expect(services.relynt.listApprovals({ status: 'pending' }).length).toBeGreaterThanOrEqual(count)
      for (const approvalId of approvalIds) await services.relynt.approve(approvalId)

      // Both replicas finish every approval at the same time (100 approvals, 200 requests, in flight).
      const finished = (
        await inFlight(100, approvalIds, (approvalId) =>
          Promise.all([one.check.run({ approvalId }), two.check.run({ approvalId })]),
        )
      ).flat()
      // Exactly one of the two finishes of each approval executes it; the other gets its
      // recorded outcome, or is told it is being finished. (Which status the executed one reports
      // is the pay tool's reading of the effect; the ledger below is what counts.)
      for (const outcome of finished) {
        if (outcome.status === 'failed') {
          expect(outcome, JSON.stringify(outcome).slice(0, 400)).toMatchObject({
            error: { code: 'approval_being_finished' },
          })
        }
      }
      const intents = services.ralio
        .stats()
        .paymentIntents.filter((intent) => intent.reference?.startsWith('bulk '))
      expect(intents).toHaveLength(count)
      expect(new Set(intents.map((intent) => intent.reference?.replace(/ \[relynt:.*\]$/, ''))).size).toBe(
        count,
      )
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })
})

describe('approval check tool', () => {
  it('finishes a call by approval id alone on a tool set that shares only the store', async () => {
    const services = await startServices()
    try {
      const store = new MemoryPendingCallStore()
      const build = () =>
        createAgentTools({
          ralio: services.ralioClient,
          relynt: services.newRelyntClient(),
          pending: 'defer',
          pendingCalls: store,
        })
      const first = build()
      const second = build()
      const pending = await first
        .find((tool) => tool.name === 'ralio_pay')!
        .run(
          { amount: '2500.00', currency: 'GBP', payee: 'Northwind Logistics', reference: 'other process' },
          { toolCallId: 'call_1' },
        )
      const approvalId = approvalIdOf(pending)
      const check = second.find((tool) => tool.name === 'relynt_check_approval')!
      const still = await check.run({ approvalId })
      expect(still).toMatchObject({ status: 'pending_approval', checkAgainAfterSeconds: expect.any(Number) })
      expect(still.status === 'pending_approval' && still.message).toMatch(/again in about \d+ seconds/)
      expect(still.status === 'pending_approval' && still.message).not.toMatch(/do not call this tool again/i)
      await services.approve(approvalId)
      expect(await check.run({ approvalId })).toMatchObject({ status: 'paid' })
      expect(paymentsFor(services, 'other process')).toHaveLength(1)
    } finally {
      await services.close()
    }
  })
})
