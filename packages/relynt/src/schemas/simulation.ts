import * as z from 'zod/mini'
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
  /** The `instance_id` the simulation was sent with. */
  instanceId: string
}

/** The policy rule that decided a simulated action. */
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

const conditionsSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      max_amount_change: z.catch(z.optional(z.number()), undefined),
      require_approval_if_stage: z.catch(z.optional(z.array(z.string())), undefined),
      deny_fields: z.catch(z.optional(z.array(z.string())), undefined),
    }),
    z.transform((wire) =>
      definedOnly({
        maxAmountChange: wire.max_amount_change,
        requireApprovalIfStage: wire.require_approval_if_stage,
        denyFields: wire.deny_fields,
      }),
    ),
  ),
)

const ruleSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      index: z.catch(z.optional(z.int()), undefined),
      action: optionalText,
      resource_pattern: optionalText,
      decision: optionalText,
      risk_level: optionalText,
      conditions: z.catch(z.optional(conditionsSchema), undefined),
    }),
    z.transform(
      (wire): MatchedRule =>
        definedOnly({
          index: wire.index,
          action: wire.action,
          resourcePattern: wire.resource_pattern,
          decision: wire.decision,
          riskLevel: wire.risk_level,
          conditions: wire.conditions,
        }),
    ),
  ),
)

// Gateways report the matched rule as the rule itself, as `{ index, rule }` or as its
// position; all three read as one flat MatchedRule.
const flattenRule = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value
  const { rule, ...rest } = value as Record<string, unknown>
  return typeof rule === 'object' && rule !== null ? { ...rule, ...rest } : value
}

const matchedRuleSchema = z.lazy(() =>
  z.catch(
    z.pipe(
      z.nullish(
        z.union([
          z.pipe(z.transform(flattenRule), ruleSchema),
          z.pipe(
            z.int(),
            z.transform((index): MatchedRule => ({ index })),
          ),
        ]),
      ),
      z.transform((rule) => rule ?? null),
    ),
    null,
  ),
)

export const simulationSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      decision: z.string().check(z.minLength(1)),
      risk_level: optionalText,
      requires_approval: z.catch(z.optional(z.boolean()), undefined),
      reason: optionalText,
      policy_version: optionalText,
      matched_rule: matchedRuleSchema,
    }),
    z.transform(
      (wire): Omit<Simulation, 'instanceId'> =>
        definedOnly({
          decision: wire.decision,
          riskLevel: wire.risk_level,
          requiresApproval: wire.requires_approval ?? wire.decision === 'pending_approval',
          reason: wire.reason,
          policyVersion: wire.policy_version,
          matchedRule: wire.matched_rule,
        }),
    ),
  ),
)
