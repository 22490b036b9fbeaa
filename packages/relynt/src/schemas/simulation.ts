import { z } from 'zod'
import { definedOnly } from '../defined-only.js'
import { type Decision, optionalText, type RiskLevel } from './wire-values.js'

/** What the policy would decide for a request, from `POST /v1/policy-simulator`. */
export interface Simulation {
  decision: Decision
  riskLevel?: RiskLevel
  requiresApproval: boolean
  reason?: string
  policyVersion?: string
  /** The rule that decided, camelCased; null when no rule matched. */
  matchedRule: MatchedRule | null
}

export interface MatchedRule {
  /** Position in the policy (0-based), when the gateway reports it. */
  index?: number
  action?: string
  resourcePattern?: string
  decision?: string
  riskLevel?: RiskLevel
  conditions?: {
    maxAmountChange?: number
    requireApprovalIfStage?: string[]
    denyFields?: string[]
  }
}

const conditionsSchema = z
  .looseObject({
    max_amount_change: z.number().optional().catch(undefined),
    require_approval_if_stage: z.array(z.string()).optional().catch(undefined),
    deny_fields: z.array(z.string()).optional().catch(undefined),
  })
  .transform((wire) =>
    definedOnly({
      maxAmountChange: wire.max_amount_change,
      requireApprovalIfStage: wire.require_approval_if_stage,
      denyFields: wire.deny_fields,
    }),
  )

const ruleSchema = z
  .looseObject({
    index: z.number().int().optional().catch(undefined),
    action: optionalText,
    resource_pattern: optionalText,
    decision: optionalText,
    risk_level: optionalText,
    conditions: conditionsSchema.optional().catch(undefined),
  })
  .transform(
    (wire): MatchedRule =>
      definedOnly({
        index: wire.index,
        action: wire.action,
        resourcePattern: wire.resource_pattern,
        decision: wire.decision,
        riskLevel: wire.risk_level,
        conditions: wire.conditions,
      }),
  )

// Gateways report the matched rule as the rule itself, as `{ index, rule }` or as its
// position; all three read as one flat MatchedRule.
const flattenRule = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value
  const { rule, ...rest } = value as Record<string, unknown>
  return typeof rule === 'object' && rule !== null ? { ...rule, ...rest } : value
}

const matchedRuleSchema = z
  .union([
    z.preprocess(flattenRule, ruleSchema),
    z
      .number()
      .int()
      .transform((index): MatchedRule => ({ index })),
  ])
  .nullish()
  .transform((rule) => rule ?? null)
  .catch(null)

export const simulationSchema = z
  .looseObject({
    decision: z.string().min(1),
    risk_level: optionalText,
    requires_approval: z.boolean().optional().catch(undefined),
    reason: optionalText,
    policy_version: optionalText,
    matched_rule: matchedRuleSchema,
  })
  .transform(
    (wire): Simulation =>
      definedOnly({
        decision: wire.decision,
        riskLevel: wire.risk_level,
        requiresApproval: wire.requires_approval ?? wire.decision === 'pending_approval',
        reason: wire.reason,
        policyVersion: wire.policy_version,
        matchedRule: wire.matched_rule,
      }),
  )
