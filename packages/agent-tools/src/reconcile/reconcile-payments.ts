import type { RalioClient } from '@x/ralio'
import type { RelyntClient } from '@x/relynt'
import { AgentToolsError } from '../errors.js'
import { canonicalPayee } from '../payee/canonical-payee.js'
import { receiptIdIn } from '../payee/payment-instruction.js'
import { RALIO_PAY_ACTION, ralioPayRequest } from '../tools/ralio-pay-payload.js'
import {
  type AuthorisationRecord,
  matchPayments,
  type PaymentRecord,
  type Reconciliation,
} from './match-payments.js'

/** What reconciliation reads of Ralio (a `RalioClient` has it). */
export interface ReconcileRalioClient {
  readonly paymentIntents: Pick<RalioClient['paymentIntents'], 'list'>
  readonly transactions: Pick<RalioClient['transactions'], 'list'>
}

/** What reconciliation reads of Relynt (a `RelyntClient` has it). */
export interface ReconcileRelyntClient {
  readonly receipts: Pick<RelyntClient['receipts'], 'list' | 'get' | 'verifyRequestHash'>
}

/** What {@link reconcilePayments} reads, and the window it reconciles. */
export interface ReconcilePaymentsOptions {
  ralio: ReconcileRalioClient
  relynt: ReconcileRelyntClient
  /** Start of the window, inclusive: a Date or an ISO 8601 string. */
  since: Date | string
  /** End of the window, inclusive; default now. */
  until?: Date | string | undefined
  /** Items per page asked of Ralio and of Relynt; default 200 (the most Ralio serves). */
  pageSize?: number
  signal?: AbortSignal | undefined
}

/** Receipts fetched at once to read their request hash. */
const RECEIPT_READS_IN_FLIGHT = 8

/**
 * Proves every payment of a window: pairs each payment Ralio made (every executed payment intent,
 * and every transaction that belongs to none) with the Relynt `ralio.pay` receipt that allowed it,
 * and lists what does not pair up. Reads every page of both sides; holds one compact record per
 * payment and per allowing receipt of the window. Denied and still-pending receipts are no
 * discrepancy. The receipt list carries no amount, so a pair is checked against the receipt's
 * request hash (one `receipts.get` per allowing receipt that a payment is checked against).
 */
export async function reconcilePayments(options: ReconcilePaymentsOptions): Promise<Reconciliation> {
  const { ralio, relynt, signal } = checkOptions(options)
  const since = instant(options.since, 'since')
  const until = options.until === undefined ? Date.now() : instant(options.until, 'until')
  if (until < since) {
    throw invalid(`reconcilePayments: until (${iso(until)}) is before since (${iso(since)}).`)
  }
  const window: ReadWindow = {
    since,
    until,
    includes: (time) => time >= since && time <= until,
    pageSize: options.pageSize ?? 200,
    signal,
  }
  const [payments, authorisations] = await Promise.all([
    readPayments(ralio, window),
    readAuthorisations(relynt, window),
  ])
  const hashes = receiptHashes(relynt, signal)
  return matchPayments(payments, authorisations, async (authorisation, payment) => {
    const receipt = await hashes(authorisation.receiptId)
    let request: ReturnType<typeof ralioPayRequest>
    try {
      request = ralioPayRequest({
        amount: payment.amount,
        currency: payment.currency,
        payee: payment.payee,
        reference: referenceAsAuthorised(payment.reference),
      })
    } catch {
      return false // a payee or reference no policy could have been asked about
    }
    return relynt.receipts.verifyRequestHash(
      receipt,
      { action: RALIO_PAY_ACTION, ...request, instanceId: receipt.instanceId },
      { signal },
    )
  })
}

/** What is read: the window (epoch milliseconds, inclusive), the page size, the caller's signal. */
interface ReadWindow {
  since: number
  until: number
  includes(time: number): boolean
  pageSize: number
  signal: AbortSignal | undefined
}

async function readPayments(ralio: ReconcileRalioClient, window: ReadWindow): Promise<PaymentRecord[]> {
  const { includes: inWindow, pageSize: perPage, signal } = window
  const payments: PaymentRecord[] = []
  const [, transactions] = await Promise.all([
    (async () => {
      for await (const intent of ralio.paymentIntents.list({ perPage, signal })) {
        const paidAt = Date.parse(intent.createdAt ?? '')
        if (intent.executionStatus !== 'completed' || !inWindow(paidAt)) continue
        const leg = intent.instructions[0]
        const payee = leg?.creditorName ?? ''
        const reference = leg?.reference
        payments.push({
          paymentIntentId: intent.id,
          transactionId: leg?.transactionId,
          amount: intent.totalAmount ?? leg?.amount ?? '',
          currency: intent.currency ?? leg?.currency ?? '',
          payee,
          payeeKey: payeeKey(payee),
          reference,
          paidAt,
          namedReceiptId: receiptIdIn(reference) ?? receiptIdIn(intent.userRequestSummary),
        })
      }
    })(),
    (async () => {
      // A transaction of no intent was made outside the payment agent (the console, say).
      const orphans: PaymentRecord[] = []
      for await (const transaction of ralio.transactions.list({ perPage, signal })) {
        const paidAt = Date.parse(transaction.date ?? '')
        if (transaction.paymentIntentId != null || !inWindow(paidAt)) continue
        const payee = transaction.creditor ?? ''
        orphans.push({
          transactionId: transaction.id,
          amount: transaction.amount ?? '',
          currency: transaction.currency ?? '',
          payee,
          payeeKey: payeeKey(payee),
          reference: transaction.reference,
          paidAt,
          namedReceiptId: receiptIdIn(transaction.reference),
        })
      }
      return orphans
    })(),
  ])
  payments.push(...transactions)
  return payments
}

async function readAuthorisations(
  relynt: ReconcileRelyntClient,
  window: ReadWindow,
): Promise<AuthorisationRecord[]> {
  const { since, until, includes: inWindow, pageSize: limit, signal } = window
  const authorisations: AuthorisationRecord[] = []
  const receipts = relynt.receipts.list({
    decision: 'allow',
    search: RALIO_PAY_ACTION,
    from: iso(since),
    to: iso(until),
    limit,
    signal,
  })
  for await (const receipt of receipts) {
    const authorisedAt = Date.parse(receipt.createdAt ?? '')
    // The search also finds the words elsewhere; only the action counts.
    if (receipt.action !== RALIO_PAY_ACTION || receipt.decision !== 'allow' || !inWindow(authorisedAt))
      continue
    authorisations.push({
      receiptId: receipt.receiptId,
      authorisedAt,
      payeeKey: receipt.resource?.startsWith(PAYEE_RESOURCE)
        ? receipt.resource.slice(PAYEE_RESOURCE.length)
        : undefined,
    })
  }
  return authorisations
}

const PAYEE_RESOURCE = 'ralio:payee:'

/** Full receipts (for their request hash), each fetched once, a few at a time. */
function receiptHashes(relynt: ReconcileRelyntClient, signal: AbortSignal | undefined) {
  type FullReceipt = Awaited<ReturnType<ReconcileRelyntClient['receipts']['get']>>
  const cache = new Map<string, Promise<FullReceipt>>()
  let inFlight = 0
  const waiting: (() => void)[] = []
  return (receiptId: string): Promise<FullReceipt> => {
    let receipt = cache.get(receiptId)
    if (receipt === undefined) {
      receipt = (async () => {
        if (inFlight >= RECEIPT_READS_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve))
        inFlight++
        try {
          return await relynt.receipts.get(receiptId, { signal })
        } finally {
          inFlight--
          waiting.shift()?.()
        }
      })()
      cache.set(receiptId, receipt)
    }
    return receipt
  }
}

/** The reference as the policy saw it: the `[relynt:<id>]` link is added after authorisation. */
function referenceAsAuthorised(reference: string | undefined): string {
  return (reference ?? '').replace(/\s*\[relynt:[A-Za-z0-9_-]{1,64}\]/, '').trim()
}

function payeeKey(name: string): string | undefined {
  try {
    return canonicalPayee(name).key
  } catch {
    return undefined // a name no policy could have been asked about: it pairs with no receipt
  }
}

function checkOptions(options: ReconcilePaymentsOptions): ReconcilePaymentsOptions {
  if (typeof options?.ralio?.paymentIntents?.list !== 'function') {
    throw invalid('reconcilePayments needs { ralio: new RalioClient(), relynt: new RelyntClient(), since }.')
  }
  if (typeof options.relynt?.receipts?.list !== 'function') {
    throw invalid('reconcilePayments needs { relynt: new RelyntClient() } to read the receipts.')
  }
  const pageSize = options.pageSize
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200)) {
    throw invalid(
      `reconcilePayments: pageSize must be a whole number from 1 to 200 (got ${String(pageSize)}).`,
    )
  }
  return options
}

function instant(value: Date | string | undefined, name: string): number {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (Number.isNaN(time)) {
    throw invalid(`reconcilePayments: ${name} must be a Date or an ISO 8601 string (got ${String(value)}).`)
  }
  return time
}

function iso(time: number): string {
  return new Date(time).toISOString()
}

function invalid(message: string): AgentToolsError {
  return new AgentToolsError(message, { code: 'invalid_argument' })
}
