/** A payment that was made, as Ralio recorded it (an executed payment intent, or a transaction of none). */
export interface PaymentRecord {
  paymentIntentId?: string | undefined
  transactionId?: string | undefined
  /** Decimal string, e.g. `"120.00"`. */
  amount: string
  currency: string
  /** The payee as paid. */
  payee: string
  /** The payee's identity (`canonicalPayee(payee).key`); undefined when the name has none. */
  payeeKey: string | undefined
  reference: string | undefined
  /** When Ralio recorded it, epoch milliseconds. */
  paidAt: number
  /** The Relynt receipt the payment names (`[relynt:<receipt id>]`), if any. */
  namedReceiptId: string | undefined
}

/** A `ralio.pay` receipt that allowed a payment (immediately or once a person approved it). */
export interface AuthorisationRecord {
  receiptId: string
  /** Epoch milliseconds. */
  authorisedAt: number
  /** The payee identity the receipt's resource names (`ralio:payee:<key>`). */
  payeeKey: string | undefined
}

/**
 * Whether a payment is exactly what a receipt authorised: amount, currency, payee and reference.
 * The receipt's request hash covers all of them; its list entry carries none.
 */
export type AuthorisesPayment = (
  authorisation: AuthorisationRecord,
  payment: PaymentRecord,
) => boolean | Promise<boolean>

/** One line of a reconciliation. */
export interface ReconciledPayment {
  paymentIntentId?: string
  transactionId?: string
  receiptId?: string
  /** What was paid; absent when nothing was paid (`notExecuted`). */
  amount?: string
  currency?: string
  /** The payee as paid, or the payee identity the receipt names when nothing was paid. */
  payee?: string
  /** ISO 8601. */
  paidAt?: string
  authorisedAt?: string
  /** How the payment and its receipt were paired: the receipt id in the payment, or by content. */
  link?: 'reference' | 'content'
  /** One line a person can act on. */
  reason: string
}

/** Every payment of a window paired with its authorisation, and every discrepancy. */
export interface Reconciliation {
  /** A payment and the receipt that allowed exactly it, the receipt first. */
  matched: ReconciledPayment[]
  /** A payment no receipt allowed: made by chat, in the console, or around the gateway. */
  unauthorised: ReconciledPayment[]
  /** A receipt that allowed a payment which was never made. */
  notExecuted: ReconciledPayment[]
  /** A payment linked to its receipt that differs from what the receipt allowed. */
  mismatched: ReconciledPayment[]
}

/**
 * Pairs payments with the receipts that allowed them, one to one. A payment that names its
 * receipt is linked by that name; the rest are paired by content — same payee, the receipt
 * before the payment, amount, currency and reference as authorised — the nearest receipt first.
 * Time and memory are linear in the records but for the receipts of one payee that a payment
 * must be checked against.
 */
export async function matchPayments(
  payments: readonly PaymentRecord[],
  authorisations: readonly AuthorisationRecord[],
  authorises: AuthorisesPayment,
): Promise<Reconciliation> {
  const result: Reconciliation = { matched: [], unauthorised: [], notExecuted: [], mismatched: [] }
  const open = new Map<string, AuthorisationRecord>()
  for (const authorisation of authorisations) open.set(authorisation.receiptId, authorisation)
  const usedBy = new Map<string, PaymentRecord>()
  const unlinked: PaymentRecord[] = []

  const link = (payment: PaymentRecord, authorisation: AuthorisationRecord) => {
    open.delete(authorisation.receiptId)
    usedBy.set(authorisation.receiptId, payment)
  }

  for (const payment of payments) {
    const receiptId = payment.namedReceiptId
    if (receiptId === undefined) {
      unlinked.push(payment)
      continue
    }
    const authorisation = open.get(receiptId)
    if (authorisation === undefined) {
      const other = usedBy.get(receiptId)
      result.unauthorised.push(
        entry(payment, undefined, {
          receiptId,
          reason:
            other === undefined
              ? `names receipt ${receiptId}, which allowed no payment in this window`
              : `names receipt ${receiptId}, already used by ${describePayment(other)}`,
        }),
      )
      continue
    }
    link(payment, authorisation)
    const pending = difference(payment, authorisation, authorises)
    const problem = typeof pending === 'object' ? await pending : pending
    const line = entry(payment, authorisation, { link: 'reference', reason: problem ?? 'paid as authorised' })
    ;(problem === undefined ? result.matched : result.mismatched).push(line)
  }

  // Content links: each payment, oldest first, takes the nearest earlier receipt of its payee
  // that authorised exactly it.
  const byPayee = new Map<string, AuthorisationRecord[]>()
  for (const authorisation of open.values()) {
    if (authorisation.payeeKey === undefined) continue
    const list = byPayee.get(authorisation.payeeKey)
    if (list === undefined) byPayee.set(authorisation.payeeKey, [authorisation])
    else list.push(authorisation)
  }
  for (const list of byPayee.values()) list.sort((a, b) => a.authorisedAt - b.authorisedAt)
  unlinked.sort((a, b) => a.paidAt - b.paidAt)
  for (const payment of unlinked) {
    const candidates = payment.payeeKey === undefined ? undefined : byPayee.get(payment.payeeKey)
    let found: AuthorisationRecord | undefined
    if (candidates !== undefined) {
      for (let index = lastAtOrBefore(candidates, payment.paidAt); index >= 0; index--) {
        const candidate = candidates[index] as AuthorisationRecord
        // Awaited only when the check answers with a promise: an in-memory one costs no microtask.
        const verdict = authorises(candidate, payment)
        if (typeof verdict === 'boolean' ? verdict : await verdict) {
          found = candidate
          candidates.splice(index, 1)
          break
        }
      }
    }
    if (found === undefined) {
      result.unauthorised.push(
        entry(payment, undefined, { reason: 'no ralio.pay receipt allowed this payment' }),
      )
      continue
    }
    link(payment, found)
    result.matched.push(entry(payment, found, { link: 'content', reason: 'paid as authorised' }))
  }

  for (const authorisation of open.values()) {
    result.notExecuted.push({
      receiptId: authorisation.receiptId,
      ...(authorisation.payeeKey === undefined ? {} : { payee: authorisation.payeeKey }),
      authorisedAt: new Date(authorisation.authorisedAt).toISOString(),
      reason: 'allowed, but no payment was made (refused by Ralio, never sent, or approved too late)',
    })
  }
  return result
}

/** Why a payment differs from the receipt it names, or undefined when it is what was authorised. */
function difference(
  payment: PaymentRecord,
  authorisation: AuthorisationRecord,
  authorises: AuthorisesPayment,
): string | undefined | Promise<string | undefined> {
  const receipt = authorisation.receiptId
  if (payment.payeeKey !== authorisation.payeeKey) {
    return `paid ${payment.payee}, but receipt ${receipt} allowed payee ${authorisation.payeeKey ?? '(none)'}`
  }
  if (payment.paidAt < authorisation.authorisedAt) return `paid before receipt ${receipt} allowed it`
  const notAllowed = `paid ${payment.amount} ${payment.currency}, not the amount, currency or reference receipt ${receipt} allowed`
  const verdict = authorises(authorisation, payment)
  if (typeof verdict === 'boolean') return verdict ? undefined : notAllowed
  return verdict.then((allowed) => (allowed ? undefined : notAllowed))
}

/** The index of the last record authorised at or before `time` (records sorted by time), or -1. */
function lastAtOrBefore(records: readonly AuthorisationRecord[], time: number): number {
  let low = 0
  let high = records.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((records[middle] as AuthorisationRecord).authorisedAt <= time) low = middle + 1
    else high = middle
  }
  return low - 1
}

function entry(
  payment: PaymentRecord,
  authorisation: AuthorisationRecord | undefined,
  fields: { receiptId?: string; link?: 'reference' | 'content'; reason: string },
): ReconciledPayment {
  const line: ReconciledPayment = {} as ReconciledPayment
  if (payment.paymentIntentId !== undefined) line.paymentIntentId = payment.paymentIntentId
  if (payment.transactionId !== undefined) line.transactionId = payment.transactionId
  const receiptId = authorisation?.receiptId ?? fields.receiptId
  if (receiptId !== undefined) line.receiptId = receiptId
  line.amount = payment.amount
  line.currency = payment.currency
  line.payee = payment.payee
  line.paidAt = new Date(payment.paidAt).toISOString()
  if (authorisation !== undefined) line.authorisedAt = new Date(authorisation.authorisedAt).toISOString()
  if (fields.link !== undefined) line.link = fields.link
  line.reason = fields.reason
  return line
}

function describePayment(payment: PaymentRecord): string {
  return payment.paymentIntentId !== undefined
    ? `payment intent ${payment.paymentIntentId}`
    : `transaction ${payment.transactionId ?? '(no id)'}`
}
