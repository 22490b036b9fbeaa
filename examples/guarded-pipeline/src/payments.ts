/** A supplier payment the accounts-payable agent is asked to make. */
export interface Payment {
  payee: string
  /** Decimal string, as Ralio carries money: never a binary float. */
  amount: string
  currency: 'GBP'
  reference: string
}

/** Small enough to go through, large enough to need a person, and a blocked payee. */
export const demoPayments: Payment[] = [
  { payee: 'Acme Stationery', amount: '120.00', currency: 'GBP', reference: 'office supplies' },
  {
    payee: 'Northwind Logistics',
    amount: '4800.00',
    currency: 'GBP',
    reference: 'the April freight invoice',
  },
  { payee: 'Globex Holdings', amount: '950.00', currency: 'GBP', reference: 'consulting retainer' },
]

/** `payment:supplier:acme-stationery`: the resource the gateway's policy matches on. */
export function supplierResource(payment: Payment): string {
  const slug = payment.payee
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `payment:supplier:${slug}`
}

/**
 * What the gateway judges. Its policy compares `amount` with a numeric threshold, so
 * the payload carries a number; two-decimal amounts of this size convert exactly
 * enough for a comparison, and the payment itself keeps the decimal string.
 */
export function gatewayPayload(payment: Payment): Record<string, unknown> {
  return {
    amount: Number(payment.amount),
    currency: payment.currency,
    payee: payment.payee,
    reference: payment.reference,
  }
}

/** The instruction to the Ralio agent, in the words an owner would use. */
export function paymentMessage(payment: Payment): string {
  return `Pay £${formatAmount(payment.amount)} to ${payment.payee} for ${payment.reference}`
}

/** "4800.00" → "4,800.00", on the digits (no float round trip). */
export function formatAmount(amount: string): string {
  const [units = '0', fraction] = amount.split('.')
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return fraction === undefined ? grouped : `${grouped}.${fraction}`
}
