import type { PolicyRule } from '@x/sandbox'

/**
 * The policy `x-mcp --sandbox` starts with, so a first try shows all three decisions: a
 * blocked payee, payments up to 1 000 at once, larger ones after a person approves. First
 * match wins.
 */
export const sandboxPolicy: PolicyRule[] = [
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:globex-holdings',
    decision: 'deny',
    risk_level: 'high',
  },
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:*',
    decision: 'allow',
    risk_level: 'medium',
    conditions: { max_amount_change: 1000 },
  },
  { action: 'ralio.chat', resource_pattern: 'ralio:agent:*', decision: 'allow', risk_level: 'medium' },
]

export const sandboxPolicyVersion = 'agent-tools-sandbox-1'
