import type { RalioClient } from '@x/ralio'
import { ActionDeniedError, type RelyntClient } from '@x/relynt'

export interface SupplierPayment {
  /** The payee's slug, e.g. `northwind-logistics`; the Relynt resource is `payment:supplier:<slug>`. */
  supplier: string
  payee: string
  amount: number
  reference: string
}

export type PaymentOutcome =
  | { status: 'paid'; reply: string; receiptId: string }
  | { status: 'refused'; reason: string | undefined; receiptId: string }

/**
 * The application code under test: asks Relynt first, and only when the gateway allows it
 * asks the Ralio agent to pay. A refusal is an outcome, not an error.
 */
export async function paySupplier(
  clients: { ralio: RalioClient; relynt: RelyntClient },
  payment: SupplierPayment,
): Promise<PaymentOutcome> {
  try {
    const { value: reply, authorization } = await clients.relynt.guard(
      {
        action: 'pay_supplier',
        resource: `payment:supplier:${payment.supplier}`,
        payload: {
          amount: payment.amount,
          currency: 'GBP',
          payee: payment.payee,
          reference: payment.reference,
        },
      },
      async () => {
        const stream = clients.ralio.chat.stream({
          message: `Pay £${payment.amount} to ${payment.payee} for ${payment.reference}`,
        })
        return (await stream.finalReply()).reply
      },
    )
    return { status: 'paid', reply, receiptId: authorization.receiptId }
  } catch (error) {
    if (!ActionDeniedError.isInstance(error)) throw error
    return { status: 'refused', reason: error.reason, receiptId: error.receiptId }
  }
}
