import { RelyntClient } from '@x/relynt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import type { LocalServer } from '../../core/test/support/local-server.js'
import { decisionCases, startDecisionGateway } from '../../relynt/test/support/decision-cases.js'
import { guardedTool, isErrorOutcome } from '../src/index.js'

let gateway: LocalServer
let relynt: RelyntClient
beforeAll(async () => {
  gateway = await startDecisionGateway()
  relynt = new RelyntClient({
    baseUrl: gateway.url,
    agentId: 'agent_1',
    agentSecret: 'secret_1',
    logger: 'off',
  })
})
afterAll(async () => {
  relynt?.close()
  await gateway?.close()
})

describe.concurrent('guarded tools over the shared decision cases', () => {
  it.each(decisionCases)('$name', async ({ resource, expected }) => {
    const executed: string[] = []
    const tool = guardedTool(relynt, {
      name: 'refund',
      description: 'Refund a payment.',
      input: z.object({ resource: z.string() }),
      action: 'refund',
      resource: (input) => input.resource,
      approvalTimeoutMs: 10_000,
      execute: (_input, { authorization }) => {
        executed.push(authorization!.receiptId)
        return { refunded: true }
      },
    })
    const outcome = await tool.run({ resource })
    switch (expected.kind) {
      case 'allowed':
        expect(outcome).toMatchObject({
          status: 'allowed',
          receiptId: expected.receiptId,
          result: { refunded: true },
        })
        expect(outcome.status === 'allowed' && outcome.approvedBy).toBe(expected.approvedBy ?? undefined)
        expect(executed).toEqual([expected.receiptId])
        expect(isErrorOutcome(outcome)).toBe(false)
        return
      case 'denied':
        expect(outcome).toMatchObject({
          status: 'denied',
          deniedBy: expected.by,
          receiptId: expected.receiptId,
        })
        expect(outcome.status === 'denied' && outcome.reason).toContain('Nothing was done')
        expect(outcome.status === 'denied' && outcome.decisionReason).toBe(expected.decisionReason)
        break
      case 'failed':
        expect(outcome).toMatchObject({
          status: 'failed',
          receiptId: expected.receiptId,
          error: { code: expected.gatewayError.code },
        })
        expect(outcome.status === 'failed' && outcome.error.message).toContain(expected.gatewayError.message)
        break
      case 'invalid_response':
        expect(outcome).toMatchObject({ status: 'failed', error: { code: 'invalid_response' } })
        break
    }
    expect(isErrorOutcome(outcome)).toBe(true)
    expect(executed).toEqual([])
  })
})
