import { expect, it } from 'vitest'
import { main } from '../src/quickstart.js'

it('gets allow, deny and an approved approval, replays a retried call once and verifies its receipt', async () => {
  const lines: string[] = []
  const result = await main({ log: (line) => lines.push(line) })

  expect(result.allowed.decision).toBe('allow')
  expect(result.allowed.toolResponse).toEqual({ updated: 'crm:deal:123', fields: ['amount', 'stage'] })
  expect(result.denied.decision).toBe('deny')
  expect(result.denied.reason).toContain('owner_id')

  expect(result.pending.decision).toBe('pending_approval')
  expect(result.approval).toMatchObject({ status: 'approved', decidedBy: 'slack:U-SALES-LEAD' })
  expect(result.approval.receiptId).not.toBe(result.pending.receiptId)
  expect(lines.some((line) => /check \d+: pending/.test(line))).toBe(true)

  // Same key, same answer, and the CRM was updated once for it: 1 (allowed) + 1 (approved) + 1 (first try).
  expect(result.retry.receiptId).toBe(result.firstTry.receiptId)
  expect(result.retry.idempotencyKey).toBe(result.firstTry.idempotencyKey)
  expect(result.retry.instanceId).toBe(result.firstTry.instanceId)
  expect(result.connectorCalls).toBe(3)

  expect(result.receipt).toMatchObject({ decision: 'allow', action: 'update_deal', resource: 'crm:deal:456' })
  expect(result.receiptVerifies).toBe(true)
  expect(result.requestHashMatches).toBe(true)
  // allow, deny, pending and the approval's final allow.
  expect(result.receiptsForDeal).toBe(4)
})
