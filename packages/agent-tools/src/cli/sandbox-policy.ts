import type { PolicyRule } from '@x/sandbox'

/** The payees `x-mcp --sandbox` knows: paid up to `max_amount_change` without asking. */
export const sandboxKnownPayees = ['acme-stationery', 'northwind-logistics'] as const

/**
 * The policy `x-mcp --sandbox` starts with: an allow-list. Known payees are paid up to 1 000 at
 * once (above that a person approves); every other payee — however a model spells it — goes to
 * a person. The one deny rule (a payee a person already refused) is an addition, not the
 * protection: a respelling of it is just another unknown payee. First match wins.
 */
export const sandboxPolicy: PolicyRule[] = [
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:globex-holdings',
    decision: 'deny',
    risk_level: 'high',
  },
  ...sandboxKnownPayees.map(
    (payee): PolicyRule => ({
      action: 'ralio.pay',
      resource_pattern: `ralio:payee:${payee}`,
      decision: 'allow',
      risk_level: 'medium',
      conditions: { max_amount_change: 1000 },
    }),
  ),
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:*',
    decision: 'require_approval',
    risk_level: 'high',
  },
  { action: 'ralio.chat', resource_pattern: 'ralio:agent:*', decision: 'allow', risk_level: 'medium' },
]

export const sandboxPolicyVersion = 'agent-tools-sandbox-2'
