import { authorisedPayment, paymentInstruction, RALIO_PAY_ACTION, ralioPayRequest } from '@x/agent-tools'

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

/**
 * What the gateway judges: `ralio.pay` on the payee's canonical resource
 * (`ralio:payee:acme-stationery`), with the amount as a number for the policy's threshold. Built by
 * `ralioPayRequest`, as the `ralio_pay` tool builds it, so the payments can be reconciled with
 * their receipts afterwards.
 */
export function gatewayRequest(payment: Payment): {
  action: string
  resource: string
  payload: Record<string, unknown>
} {
  return { action: RALIO_PAY_ACTION, ...ralioPayRequest(payment) }
}

/** A payment made straight through the Ralio SDK, around the gateway: what reconciliation must flag. */
export const paymentAroundTheGateway: Payment = {
  payee: 'Initech',
  amount: '75.00',
  currency: 'GBP',
  reference: 'a payment nobody authorised',
}

// What was authorised, as `observePayment` compares it with what Ralio did: `ralio_pay`'s own form.
export { authorisedPayment }

/**
 * The instruction to the Ralio agent: exactly the authorised fields, each in its own JSON string,
 * with the receipt that authorised them (`[relynt:<receipt id>]` in the reference).
 */
export function paymentMessage(payment: Payment, receiptId?: string): string {
  const authorised = authorisedPayment(payment)
  return paymentInstruction({ ...authorised, creditor: authorised.payee, receiptId })
}

/** "4800.00" → "4,800.00", on the digits (no float round trip). */
export function formatAmount(amount: string): string {
  const [units = '0', fraction] = amount.split('.')
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return fraction === undefined ? grouped : `${grouped}.${fraction}`
}
