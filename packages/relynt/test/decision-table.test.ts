import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalServer } from '../../core/test/support/local-server.js'
import { ActionDeniedError, ConnectorFailedError, RelyntError } from '../src/errors.js'
import { guard } from '../src/guard.js'
import { interpretDecision } from '../src/interpret-decision.js'
import { RelyntClient } from '../src/relynt-client.js'
import { decisionCases, startDecisionGateway } from './support/decision-cases.js'

let gateway: LocalServer
let client: RelyntClient
beforeAll(async () => {
  gateway = await startDecisionGateway()
  client = new RelyntClient({
    baseUrl: gateway.url,
    agentId: 'agent_1',
    agentSecret: 'secret_1',
    logger: 'off',
  })
})
afterAll(async () => {
  client?.close()
  await gateway?.close()
})

describe.concurrent('interpretDecision over the shared decision cases', () => {
  it.each(decisionCases)('$name', async ({ resource, expected }) => {
    const result = await client.requestAction({ action: 'refund', resource })
    const approval = result.approvalId ? await client.approvals.get(result.approvalId) : undefined
    const verdict = interpretDecision(approval ? { result, approval } : { result })
    switch (expected.kind) {
      case 'allowed':
        expect(verdict).toMatchObject({ kind: 'allowed', receiptId: expected.receiptId })
        expect(verdict.kind === 'allowed' && verdict.approvedBy).toBe(expected.approvedBy ?? undefined)
        break
      case 'denied':
        expect(verdict).toMatchObject({ kind: 'denied', by: expected.by, decision: expected.decision })
        expect(verdict.kind === 'denied' && verdict.message).toContain('Nothing was done')
        expect(verdict.kind === 'denied' && verdict.message).toContain(expected.decisionReason ?? '')
        break
      case 'failed':
        expect(verdict).toMatchObject({
          kind: 'failed',
          error: expected.gatewayError,
          receiptId: expected.receiptId,
        })
        break
      case 'invalid_response':
        // Read once (approvals.get) an approval status no version knows is not a yes: fail closed.
        expect(verdict).toMatchObject({ kind: 'denied', by: 'unknown', decision: 'withdrawn' })
        break
    }
  })
})

describe.concurrent('guard() over the shared decision cases', () => {
  it.each(decisionCases)('$name', async ({ resource, expected }) => {
    const ran: string[] = []
    const attempt = guard(client, { action: 'refund', resource, timeoutMs: 10_000 }, (authorization) => {
      ran.push(authorization.receiptId)
      return 'done'
    })
    switch (expected.kind) {
      case 'allowed': {
        const { value, authorization } = await attempt
        expect(value).toBe('done')
        expect(authorization.receiptId).toBe(expected.receiptId)
        expect(authorization.approval?.decidedBy ?? undefined).toBe(expected.approvedBy)
        expect(ran).toEqual([expected.receiptId])
        return
      }
      case 'denied': {
        const error = await attempt.catch((caught: unknown) => caught)
        expect(ActionDeniedError.isInstance(error)).toBe(true)
        expect(error).toMatchObject({ decision: expected.decision, receiptId: expected.receiptId })
        expect((error as Error).message).toContain('Nothing was done')
        expect((error as Error).message).toContain(expected.decisionReason ?? '')
        break
      }
      case 'failed': {
        const error = await attempt.catch((caught: unknown) => caught)
        expect(ConnectorFailedError.isInstance(error)).toBe(true)
        expect(error).toMatchObject({
          code: 'connector_failed',
          gatewayError: expected.gatewayError,
          receiptId: expected.receiptId,
        })
        expect((error as Error).message).toContain("the gateway's connector then failed")
        break
      }
      case 'invalid_response':
        await expect(attempt).rejects.toSatisfy(
          (error: unknown) => RelyntError.isInstance(error) && error.code === 'invalid_response',
        )
        break
    }
    expect(ran).toEqual([])
  })
})
