import { describe, expect, it } from 'vitest'
import { actionResultSchema } from '../src/schemas/action-result.js'
import { approvalSchema } from '../src/schemas/approval.js'
import { receiptPageSchema, receiptSchema } from '../src/schemas/receipt.js'
import { simulationSchema } from '../src/schemas/simulation.js'

describe('action result schema', () => {
  it('converts the snake_case wire to camelCase and drops absent members', () => {
    const result = actionResultSchema.parse({
      decision: 'allow',
      receipt_id: 'rec_1',
      tool_response: { deal_id: 7 },
      risk_level: 'low',
      policy_version: 'v3',
      reason: 'Action matches allow rule for update_deal',
    })
    expect(result).toEqual({
      decision: 'allow',
      receiptId: 'rec_1',
      toolResponse: { deal_id: 7 },
      riskLevel: 'low',
      policyVersion: 'v3',
      reason: 'Action matches allow rule for update_deal',
    })
    expect(Object.keys(result)).not.toContain('approvalId')
  })

  it('keeps the connector response exactly as sent (no case conversion)', () => {
    const result = actionResultSchema.parse({
      decision: 'allow',
      receipt_id: 'r',
      tool_response: { snake_key: 1 },
    })
    expect(result.toolResponse).toEqual({ snake_key: 1 })
  })

  it('tolerates unknown fields, unknown enum values, nulls and numeric ids', () => {
    const result = actionResultSchema.parse({
      decision: 'escalate_to_legal',
      receipt_id: 42,
      risk_level: 'critical',
      policy_version: 3,
      reason: null,
      brand_new_field: true,
    })
    expect(result).toEqual({
      decision: 'escalate_to_legal',
      receiptId: '42',
      riskLevel: 'critical',
      policyVersion: '3',
    })
  })

  it('refuses a pending decision without an approval id, which could never be followed up', () => {
    expect(actionResultSchema.safeParse({ decision: 'pending_approval', receipt_id: 'r' }).success).toBe(
      false,
    )
    expect(
      actionResultSchema.safeParse({ decision: 'pending_approval', receipt_id: 'r', approval_id: 'apr_1' })
        .success,
    ).toBe(true)
  })

  it('refuses a body without decision or receipt id', () => {
    expect(actionResultSchema.safeParse({ receipt_id: 'r' }).success).toBe(false)
    expect(actionResultSchema.safeParse({ decision: 'allow' }).success).toBe(false)
  })
})

describe('approval schema', () => {
  it('reads a pending approval with null decider fields', () => {
    expect(
      approvalSchema.parse({ approval_id: 'apr_1', status: 'pending', decided_by: null, decided_at: null }),
    ).toEqual({ approvalId: 'apr_1', status: 'pending', decidedBy: null, decidedAt: null })
  })

  it('reads a decided approval with its final receipt and connector response', () => {
    expect(
      approvalSchema.parse({
        approval_id: 'apr_1',
        status: 'approved',
        decided_by: 'slack:U1',
        decided_at: '2026-01-01T00:00:00.000Z',
        receipt_id: 'rec_2',
        tool_response: { ok: true },
      }),
    ).toEqual({
      approvalId: 'apr_1',
      status: 'approved',
      decidedBy: 'slack:U1',
      decidedAt: '2026-01-01T00:00:00.000Z',
      receiptId: 'rec_2',
      toolResponse: { ok: true },
    })
  })
})

describe('receipt schemas', () => {
  const wire = {
    receipt_id: 'rec_1',
    created_at: '2026-01-01T00:00:00.000Z',
    organization_id: 'org_1',
    agent_id: 'agt_1',
    instance_id: 'run-1',
    action: 'update_deal',
    resource: 'crm:deal:1',
    policy_version: 'v1',
    decision: 'allow',
    risk_level: 'low',
    request_hash: 'sha256:ab',
    response_hash: 'sha256:cd',
    signature: 'hmac-sha256:ef',
    idempotency_key: 'key-1',
    reason: 'ok',
    future_field: 1,
  }

  it('reads a full receipt in camelCase', () => {
    expect(receiptSchema.parse(wire)).toEqual({
      receiptId: 'rec_1',
      createdAt: '2026-01-01T00:00:00.000Z',
      organizationId: 'org_1',
      agentId: 'agt_1',
      instanceId: 'run-1',
      action: 'update_deal',
      resource: 'crm:deal:1',
      policyVersion: 'v1',
      decision: 'allow',
      riskLevel: 'low',
      requestHash: 'sha256:ab',
      responseHash: 'sha256:cd',
      signature: 'hmac-sha256:ef',
      idempotencyKey: 'key-1',
      reason: 'ok',
    })
  })

  it('reads the documented list envelope as one page of summaries', () => {
    const page = receiptPageSchema.parse({
      receipts: [{ receipt_id: 'rec_1', decision: 'deny', risk_level: 'high' }],
    })
    expect(page).toEqual({
      receipts: [{ receiptId: 'rec_1', decision: 'deny', riskLevel: 'high' }],
      nextCursor: undefined,
      hasMore: undefined,
    })
  })

  it('reads a bare array as a complete list', () => {
    expect(receiptPageSchema.parse([{ receipt_id: 'rec_1' }])).toEqual({
      receipts: [{ receiptId: 'rec_1' }],
      nextCursor: undefined,
      hasMore: false,
    })
  })

  it.each([
    ['receipts', 'next_cursor'],
    ['data', 'cursor'],
    ['items', 'next_cursor'],
  ])('reads items under %s and the cursor under %s', (itemsKey, cursorKey) => {
    const page = receiptPageSchema.parse({
      [itemsKey]: [{ receipt_id: 'rec_1' }],
      [cursorKey]: 'c2',
      has_more: true,
    })
    expect(page).toEqual({ receipts: [{ receiptId: 'rec_1' }], nextCursor: 'c2', hasMore: true })
  })

  it('refuses an envelope without any list of receipts', () => {
    expect(receiptPageSchema.safeParse({ next_cursor: 'c2' }).success).toBe(false)
  })
})

describe('simulation schema', () => {
  it('reads the matched rule in camelCase', () => {
    const simulation = simulationSchema.parse({
      decision: 'pending_approval',
      risk_level: 'high',
      requires_approval: true,
      reason: 'Stage closed_won requires approval',
      policy_version: 'v1',
      matched_rule: {
        index: 3,
        action: 'update_deal',
        resource_pattern: 'crm:deal:*',
        decision: 'require_approval',
        conditions: { require_approval_if_stage: ['closed_won'] },
      },
    })
    expect(simulation.matchedRule).toEqual({
      index: 3,
      action: 'update_deal',
      resourcePattern: 'crm:deal:*',
      decision: 'require_approval',
      conditions: { requireApprovalIfStage: ['closed_won'] },
    })
    expect(simulation.requiresApproval).toBe(true)
  })

  it('reads a rule reported as { index, rule } the same way', () => {
    const simulation = simulationSchema.parse({
      decision: 'allow',
      matched_rule: {
        index: 4,
        rule: { action: 'update_deal', resource_pattern: 'crm:deal:*', risk_level: 'low' },
      },
    })
    expect(simulation.matchedRule).toEqual({
      index: 4,
      action: 'update_deal',
      resourcePattern: 'crm:deal:*',
      riskLevel: 'low',
    })
  })

  it('reads a missing rule as null and derives requiresApproval when absent', () => {
    const simulation = simulationSchema.parse({
      decision: 'deny',
      reason: 'No matching rule',
      matched_rule: null,
    })
    expect(simulation).toEqual({
      decision: 'deny',
      reason: 'No matching rule',
      requiresApproval: false,
      matchedRule: null,
    })
  })
})
