import { z } from 'zod'

/** How risky a policy rule says its actions are. */
export type RiskLevel = 'low' | 'medium' | 'high'

/** One policy rule, in the wire form the spec documents (§6). */
export interface PolicyRule {
  /** An action name, or '*' for every action. */
  action: string
  /** '*' matches any run of characters, ':' included; anchored; case-sensitive. */
  resource_pattern: string
  decision: 'allow' | 'deny' | 'require_approval'
  /** default 'low' */
  risk_level?: RiskLevel
  conditions?: PolicyConditions
}

/** Conditions that refine a rule (spec §6): amounts and stages that need approval, fields that are denied. */
export interface PolicyConditions {
  /** `payload.amount` above this escalates to approval. */
  max_amount_change?: number
  /** `payload.stage` in this list escalates to approval. */
  require_approval_if_stage?: string[]
  /** Any of these top-level payload keys present denies the call. */
  deny_fields?: string[]
}

/** The gateway's policy: rules tried top to bottom, first match wins. */
export interface Policy {
  version: string
  rules: PolicyRule[]
}

// Strict, unlike response schemas: a misspelled condition would silently loosen the
// policy, so an unknown key is an error that names it.
const conditionsSchema = z.strictObject({
  max_amount_change: z.number().finite().nonnegative().optional(),
  require_approval_if_stage: z.array(z.string().min(1)).optional(),
  deny_fields: z.array(z.string().min(1)).optional(),
})

const ruleSchema = z.strictObject({
  action: z.string().min(1, 'action must be an action name or "*"'),
  resource_pattern: z.string().min(1, 'resource_pattern must be a pattern such as "crm:deal:*" or "*"'),
  decision: z.enum(['allow', 'deny', 'require_approval']),
  risk_level: z.enum(['low', 'medium', 'high']).optional(),
  conditions: conditionsSchema.optional(),
})

const rulesSchema = z.array(ruleSchema)

/** Validates policy rules; throws a TypeError that says which rule and field is wrong. */
export function parsePolicyRules(input: unknown): PolicyRule[] {
  const result = rulesSchema.safeParse(input)
  if (!result.success) {
    throw new TypeError(`Invalid policy rules: ${z.prettifyError(result.error)}`)
  }
  return result.data
}
