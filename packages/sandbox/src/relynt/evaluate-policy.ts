import { matchesWildcard } from '../shared/wildcard-match.js'
import type { Policy, PolicyRule, RiskLevel } from './policy-rule.js'
import { RelyntApiError } from './relynt-api-error.js'

export interface PolicyInput {
  action: string
  resource: string
  payload: Record<string, unknown>
}

export interface PolicyEvaluation {
  decision: 'allow' | 'deny' | 'pending_approval'
  riskLevel: RiskLevel
  reason: string
  policyVersion: string
  /** The rule that decided, with its position; undefined when none matched. */
  matchedRule: { index: number; rule: PolicyRule } | undefined
}

/**
 * Evaluates a call against the policy exactly as the spec's §6 algorithm: the first
 * rule whose action and resource pattern match decides, top to bottom. Throws a 422
 * `policy_error` when the payload makes a condition impossible to evaluate.
 */
export function evaluatePolicy(policy: Policy, input: PolicyInput): PolicyEvaluation {
  const result = (
    decision: PolicyEvaluation['decision'],
    riskLevel: RiskLevel,
    reason: string,
    matchedRule?: PolicyEvaluation['matchedRule'],
  ): PolicyEvaluation => ({ decision, riskLevel, reason, policyVersion: policy.version, matchedRule })

  for (const [index, rule] of policy.rules.entries()) {
    if (rule.action !== '*' && rule.action !== input.action) continue
    if (!resourcePatternMatches(rule.resource_pattern, input.resource)) continue
    const conditions = rule.conditions ?? {}
    const ruleRisk = rule.risk_level ?? 'low'
    const matched = { index, rule }

    // 1. Forbidden fields deny outright, whatever the rule's decision.
    const deniedField = conditions.deny_fields?.find((field) => Object.hasOwn(input.payload, field))
    if (deniedField !== undefined) {
      return result('deny', ruleRisk, `Field ${deniedField} is not allowed to be modified`, matched)
    }

    // 2. Approval triggers: collect every one that fires.
    const triggers: string[] = []
    if (conditions.max_amount_change !== undefined && Object.hasOwn(input.payload, 'amount')) {
      const amount = input.payload.amount
      if (typeof amount !== 'number' || !Number.isFinite(amount)) {
        throw new RelyntApiError(
          422,
          'policy_error',
          `Rule ${index} limits payload.amount, but payload.amount is ${JSON.stringify(amount) ?? 'not JSON'}; send a number`,
        )
      }
      if (amount > conditions.max_amount_change) {
        triggers.push(`Amount exceeds max_amount_change threshold (${conditions.max_amount_change})`)
      }
    }
    const stage = input.payload.stage
    if (typeof stage === 'string' && conditions.require_approval_if_stage?.includes(stage)) {
      triggers.push(`Stage ${stage} requires approval`)
    }

    // 3. An approval rule whose conditions all stayed quiet does not match.
    const hasApprovalConditions =
      conditions.max_amount_change !== undefined || (conditions.require_approval_if_stage?.length ?? 0) > 0
    if (rule.decision === 'require_approval' && hasApprovalConditions && triggers.length === 0) continue

    // 4. Escalation never weakens a deny.
    if (rule.decision === 'deny') {
      return result('deny', ruleRisk, `Action matches deny rule for ${input.action}`, matched)
    }

    // 5. Escalate.
    if (triggers.length > 0) return result('pending_approval', 'high', triggers.join('; '), matched)
    if (rule.decision === 'require_approval') {
      return result(
        'pending_approval',
        ruleRisk,
        `Action requires approval under rule for ${input.action}`,
        matched,
      )
    }

    // 6. Allow.
    return result('allow', ruleRisk, `Action matches allow rule for ${input.action}`, matched)
  }
  return result('deny', 'low', 'No matching rule')
}

/** '*' matches any run of characters (':' included); anchored; case-sensitive. */
export function resourcePatternMatches(pattern: string, resource: string): boolean {
  return matchesWildcard(pattern, resource)
}
