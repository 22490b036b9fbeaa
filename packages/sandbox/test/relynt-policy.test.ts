import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { evaluatePolicy, resourcePatternMatches } from '../src/relynt/evaluate-policy.js'
import type { Policy, PolicyRule } from '../src/relynt/policy-rule.js'
import {
  adminHeaders,
  dealUpdate,
  postJson,
  type RelyntFixture,
  startFixture,
  toolCallJson,
} from './relynt-test-helpers.js'

/** The documented example: an approval rule for closing deals, then a general allow rule. */
const documentedExample: PolicyRule[] = [
  {
    action: 'update_deal',
    resource_pattern: 'crm:deal:*',
    decision: 'require_approval',
    risk_level: 'high',
    conditions: { require_approval_if_stage: ['closed_won', 'closed_lost'] },
  },
  {
    action: 'update_deal',
    resource_pattern: 'crm:deal:*',
    decision: 'allow',
    risk_level: 'low',
    conditions: { max_amount_change: 10000, deny_fields: ['owner_id'] },
  },
]
const policy = (rules: PolicyRule[]): Policy => ({ version: 'v3', rules })
const evaluate = (
  rules: PolicyRule[],
  payload: Record<string, unknown>,
  action = 'update_deal',
  resource = 'crm:deal:123',
) => evaluatePolicy(policy(rules), { action, resource, payload })

describe('policy evaluation (spec §6)', () => {
  it('allows a small deal update under the general allow rule of the documented example', () => {
    expect(evaluate(documentedExample, { amount: 5200, previous_amount: 5000 })).toMatchObject({
      decision: 'allow',
      riskLevel: 'low',
      reason: 'Action matches allow rule for update_deal',
      policyVersion: 'v3',
      matchedRule: { index: 1 },
    })
  })

  it('escalates a closed_won deal under the approval rule of the documented example', () => {
    expect(evaluate(documentedExample, { stage: 'closed_won' })).toMatchObject({
      decision: 'pending_approval',
      riskLevel: 'high',
      reason: 'Stage closed_won requires approval',
      matchedRule: { index: 0 },
    })
  })

  it('escalates an amount above max_amount_change with the spec reason and high risk', () => {
    expect(evaluate(documentedExample, { amount: 52000, previous_amount: 50000 })).toMatchObject({
      decision: 'pending_approval',
      riskLevel: 'high',
      reason: 'Amount exceeds max_amount_change threshold (10000)',
      matchedRule: { index: 1 },
    })
  })

  it('denies a listed field before anything else', () => {
    expect(evaluate(documentedExample, { owner_id: 'u_9', amount: 1 })).toMatchObject({
      decision: 'deny',
      reason: 'Field owner_id is not allowed to be modified',
    })
  })

  it('applies deny_fields even in an approval rule whose triggers fired', () => {
    const rules: PolicyRule[] = [
      {
        action: '*',
        resource_pattern: '*',
        decision: 'require_approval',
        conditions: { require_approval_if_stage: ['closed_won'], deny_fields: ['owner_id'] },
      },
    ]
    expect(evaluate(rules, { stage: 'closed_won', owner_id: 'x' }).decision).toBe('deny')
  })

  it('collects every trigger and joins the reasons', () => {
    const rules: PolicyRule[] = [
      {
        action: 'update_deal',
        resource_pattern: '*',
        decision: 'allow',
        conditions: { max_amount_change: 10, require_approval_if_stage: ['closed_won'] },
      },
    ]
    expect(evaluate(rules, { amount: 11, stage: 'closed_won' }).reason).toBe(
      'Amount exceeds max_amount_change threshold (10); Stage closed_won requires approval',
    )
  })

  it('never weakens a deny rule by escalation', () => {
    const rules: PolicyRule[] = [
      {
        action: '*',
        resource_pattern: 'crm:*',
        decision: 'deny',
        risk_level: 'medium',
        conditions: { max_amount_change: 1 },
      },
    ]
    expect(evaluate(rules, { amount: 100 })).toMatchObject({ decision: 'deny', riskLevel: 'medium' })
  })

  it('always escalates a require_approval rule without conditions, at the rule risk', () => {
    const rules: PolicyRule[] = [
      { action: 'update_deal', resource_pattern: '*', decision: 'require_approval', risk_level: 'medium' },
    ]
    expect(evaluate(rules, {})).toMatchObject({ decision: 'pending_approval', riskLevel: 'medium' })
  })

  it('denies with "No matching rule" and low risk when nothing matches', () => {
    expect(evaluate(documentedExample, {}, 'delete_deal')).toMatchObject({
      decision: 'deny',
      reason: 'No matching rule',
      riskLevel: 'low',
      matchedRule: undefined,
    })
    expect(evaluate(documentedExample, {}, 'update_deal', 'crm:contact:1').reason).toBe('No matching rule')
  })

  it("uses the first matching rule, with '*' as any action", () => {
    const rules: PolicyRule[] = [
      { action: 'other', resource_pattern: '*', decision: 'deny' },
      { action: '*', resource_pattern: 'crm:*', decision: 'allow', risk_level: 'medium' },
      { action: 'update_deal', resource_pattern: '*', decision: 'deny' },
    ]
    expect(evaluate(rules, {})).toMatchObject({
      decision: 'allow',
      riskLevel: 'medium',
      matchedRule: { index: 1 },
    })
  })

  it('matches resource patterns anchored, case-sensitive, with * spanning colons', () => {
    expect(resourcePatternMatches('crm:deal:*', 'crm:deal:123')).toBe(true)
    expect(resourcePatternMatches('crm:*', 'crm:deal:123')).toBe(true)
    expect(resourcePatternMatches('crm:deal:*', 'xcrm:deal:1')).toBe(false)
    expect(resourcePatternMatches('crm:deal:*', 'CRM:deal:1')).toBe(false)
    expect(resourcePatternMatches('crm:deal', 'crm:deal:1')).toBe(false)
    expect(resourcePatternMatches('a.b:*', 'axb:1')).toBe(false)
  })

  it('throws a 422 policy_error when payload.amount is not a number under an amount limit', () => {
    expect(() => evaluate(documentedExample, { amount: '52000' })).toThrow(/payload.amount/)
  })
})

describe('policy over HTTP', () => {
  let fixture: RelyntFixture
  beforeEach(async () => {
    fixture = await startFixture({ policy: { rules: documentedExample, version: 'v3' } })
  })
  afterEach(async () => {
    await fixture.sandbox.close()
  })

  it('evaluates the documented example through the gateway', async () => {
    const allowed = await toolCallJson(fixture, dealUpdate({ amount: 52000 - 50000 + 5000 }))
    expect(allowed.body).toMatchObject({ decision: 'allow', risk_level: 'low', policy_version: 'v3' })
    const pending = await toolCallJson(fixture, dealUpdate({ stage: 'closed_won' }))
    expect(pending.body).toMatchObject({ decision: 'pending_approval', risk_level: 'high' })
    expect(pending.body.approval_id).toEqual(expect.any(String))
    const denied = await toolCallJson(fixture, dealUpdate({ owner_id: 'u_2' }))
    expect(denied.body).toMatchObject({
      decision: 'deny',
      reason: 'Field owner_id is not allowed to be modified',
    })
    expect(denied.body).not.toHaveProperty('approval_id')
    expect(denied.body).not.toHaveProperty('tool_response')
  })

  it('simulates without side effects', async () => {
    const before = fixture.sandbox.stats()
    const response = await postJson(
      fixture,
      '/v1/policy-simulator',
      dealUpdate({ stage: 'closed_lost' }),
      fixture.authorization,
    )
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      decision: 'pending_approval',
      risk_level: 'high',
      requires_approval: true,
      reason: 'Stage closed_lost requires approval',
      policy_version: 'v3',
      matched_rule: { index: 0, ...documentedExample[0] },
    })
    const after = fixture.sandbox.stats()
    expect(after.receipts).toBe(before.receipts)
    expect(after.approvals).toEqual(before.approvals)
    expect(after.connectorCalls).toBe(before.connectorCalls)
    expect(after.idempotencyRecords).toBe(before.idempotencyRecords)
  })

  it('answers the simulator with matched_rule null when nothing matches', async () => {
    const response = await postJson(
      fixture,
      '/v1/policy-simulator',
      { instance_id: 'r', action: 'launch_rocket', resource: 'space:1' },
      fixture.authorization,
    )
    expect(response.body).toMatchObject({ decision: 'deny', requires_approval: false, matched_rule: null })
  })

  it('answers 422 policy_error, writes an error receipt and calls no connector when the policy cannot evaluate', async () => {
    const response = await toolCallJson(fixture, dealUpdate({ amount: 'lots' }))
    expect(response.status).toBe(422)
    expect(response.body).toMatchObject({ error: { code: 'policy_error' } })
    const receiptId = (response.body.error as { receipt_id: string }).receipt_id
    expect(fixture.sandbox.listReceipts()).toMatchObject([{ receipt_id: receiptId, decision: 'error' }])
  })

  it('replaces the policy with setPolicy and numbers versions when none is given', async () => {
    fixture.sandbox.setPolicy([{ action: '*', resource_pattern: '*', decision: 'deny', risk_level: 'high' }])
    const denied = await toolCallJson(fixture, dealUpdate({ amount: 1 }))
    expect(denied.body).toMatchObject({ decision: 'deny', risk_level: 'high', policy_version: 'v4' })
    fixture.sandbox.setPolicy(documentedExample, 'v9')
    expect(fixture.sandbox.getPolicy().version).toBe('v9')
  })

  it('rejects invalid rules with a message naming the problem', () => {
    expect(() =>
      fixture.sandbox.setPolicy([
        { action: 'x', resource_pattern: '*', decision: 'maybe' } as unknown as PolicyRule,
      ]),
    ).toThrow(/decision/)
    expect(() =>
      fixture.sandbox.setPolicy([
        {
          action: 'x',
          resource_pattern: '*',
          decision: 'allow',
          conditions: { max_amount: 5 },
        } as unknown as PolicyRule,
      ]),
    ).toThrow(/max_amount/)
    expect(fixture.sandbox.getPolicy().version).toBe('v3')
  })

  it('replaces the policy through PUT /__admin/policy and rejects bad rules with 400', async () => {
    const put = (body: unknown) =>
      fetch(`${fixture.sandbox.url}/__admin/policy`, {
        method: 'PUT',
        headers: { ...adminHeaders(fixture.sandbox), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const good = await put({
      rules: [{ action: '*', resource_pattern: '*', decision: 'allow' }],
      version: 'v4',
    })
    expect(good.status).toBe(200)
    expect((await toolCallJson(fixture, dealUpdate({ owner_id: 'x' }))).body).toMatchObject({
      decision: 'allow',
      policy_version: 'v4',
    })
    const bad = await put({ rules: [{ action: '*' }] })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      error: { code: 'bad_request', message: expect.stringContaining('resource_pattern') },
    })
  })
})

describe('default demo policy', () => {
  let fixture: RelyntFixture
  beforeEach(async () => {
    fixture = await startFixture()
  })
  afterEach(async () => {
    await fixture.sandbox.close()
  })

  const pay = (payee: string, payload: Record<string, unknown>) => ({
    instance_id: 'run-1',
    action: 'pay_supplier',
    resource: `payment:supplier:${payee}`,
    payload,
  })

  it('allows a small supplier payment, escalates a large one and refuses blocked payees and bank changes', async () => {
    expect((await toolCallJson(fixture, pay('acme', { amount: 250 }))).body).toMatchObject({
      decision: 'allow',
    })
    expect((await toolCallJson(fixture, pay('acme', { amount: 5000 }))).body).toMatchObject({
      decision: 'pending_approval',
      reason: 'Amount exceeds max_amount_change threshold (1000)',
    })
    expect((await toolCallJson(fixture, pay('blocked-globex', { amount: 1 }))).body).toMatchObject({
      decision: 'deny',
      risk_level: 'high',
    })
    expect((await toolCallJson(fixture, pay('acme', { amount: 1, iban: 'DE00' }))).body).toMatchObject({
      decision: 'deny',
      reason: 'Field iban is not allowed to be modified',
    })
  })

  it('includes the documented CRM example', async () => {
    expect((await toolCallJson(fixture, dealUpdate({ stage: 'closed_won' }))).body.decision).toBe(
      'pending_approval',
    )
    expect((await toolCallJson(fixture, dealUpdate({ amount: 500 }))).body.decision).toBe('allow')
  })
})
