import * as z from 'zod/mini'
import { decimalString, type OpenString, optionalText } from './wire-types.js'

/** The state of a transaction at the bank. */
export type TransactionStatus = OpenString<'submitted' | 'delivered' | 'failed'>

export const transactionSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
      amount: decimalString,
      currency: optionalText,
      date: optionalText,
      creditor: optionalText,
      debtor: optionalText,
      reference: optionalText,
      status: optionalText,
      payment_intent_id: optionalText,
    }),
    z.transform((wire) => ({
      id: wire.id,
      /** Decimal string, e.g. `"500.00"`: never a float. */
      amount: wire.amount,
      currency: wire.currency,
      date: wire.date,
      creditor: wire.creditor,
      debtor: wire.debtor,
      reference: wire.reference,
      status: wire.status as TransactionStatus | undefined,
      paymentIntentId: wire.payment_intent_id,
    })),
  ),
)

/**
 * A payment made from the agent's account.
 * @useDeclaredType
 */
export type Transaction = z.output<typeof transactionSchema>
