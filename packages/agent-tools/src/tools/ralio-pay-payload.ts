import { canonicalPayee, canonicalText } from '../payee/canonical-payee.js'
import type { AuthorisedPayment } from './payment-effect.js'

/** The fields of a payment as a person states them. */
export interface PaymentFields {
  /** Decimal string, e.g. `"120.00"`. */
  amount: string
  currency: string
  payee: string
  reference: string
}

/** `ralio.pay`: the Relynt action every Ralio payment is authorised as. */
export const RALIO_PAY_ACTION = 'ralio.pay'

/**
 * The Relynt request `ralio_pay` authorises a payment with: `ralio.pay` on the payee's canonical
 * resource, the payload the policy reads. Reconciliation rebuilds it from an executed payment to
 * check the receipt's request hash, so both must build it here.
 */
export function ralioPayRequest(fields: PaymentFields): {
  resource: string
  payload: Record<string, unknown>
} {
  const payment = authorisedPayment(fields)
  return {
    resource: canonicalPayee(fields.payee).resource,
    // The policy compares amounts with numeric thresholds; the payment itself keeps the decimal string.
    payload: { ...payment, amount: Number(payment.amount) },
  }
}

/** The fields the policy sees and the payment agent is given: the payee's canonical name, the checked reference. */
export function authorisedPayment(fields: PaymentFields): AuthorisedPayment {
  return {
    amount: fields.amount,
    currency: fields.currency,
    payee: canonicalPayee(fields.payee).name,
    reference: canonicalText(fields.reference, 'reference'),
  }
}
