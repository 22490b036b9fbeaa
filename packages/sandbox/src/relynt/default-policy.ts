import type { Policy } from './policy-rule.js'

/**
 * The policy a fresh sandbox starts with: a supplier-payments demo plus the CRM example
 * from the Relynt docs. Payments name the payee in the resource, e.g.
 * `payment:supplier:acme-corp`.
 */
export const defaultPolicy: Policy = {
  version: 'v1',
  rules: [
    // Payees under review are refused whatever the amount.
    { action: '*', resource_pattern: 'payment:supplier:blocked-*', decision: 'deny', risk_level: 'high' },
    // Paying a supplier is routine up to 1000; above that a human approves; an agent may
    // never redirect the money to new bank details.
    {
      action: 'pay_supplier',
      resource_pattern: 'payment:supplier:*',
      decision: 'allow',
      risk_level: 'medium',
      conditions: { max_amount_change: 1000, deny_fields: ['bank_account', 'iban'] },
    },
    // Refunds always go to a human.
    {
      action: 'refund_payment',
      resource_pattern: 'payment:*',
      decision: 'require_approval',
      risk_level: 'high',
    },
    // The documented CRM example: closing a deal needs approval, other updates are
    // allowed within 10 000 and may not reassign the owner.
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
      conditions: { max_amount_change: 10_000, deny_fields: ['owner_id'] },
    },
    { action: 'close_ticket', resource_pattern: 'support:ticket:*', decision: 'allow', risk_level: 'low' },
    { action: 'delete_record', resource_pattern: '*', decision: 'deny', risk_level: 'high' },
  ],
}
