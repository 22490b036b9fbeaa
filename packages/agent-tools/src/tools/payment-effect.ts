import { createLogger, type Logger, type LogLevel } from '@x/core/internal'
import type { PaymentIntent } from '@x/ralio'
import * as z from 'zod/mini'
import { type ObservedEffect, observedEffect } from '../observed-effect.js'
import { canonicalPayee, payeeProblem } from '../payee/canonical-payee.js'
import type { RalioToolsClient } from './ralio-client-like.js'

/** What Relynt authorised: the one payment the agent was told to make. */
export interface AuthorisedPayment {
  amount: string
  currency: string
  /** Canonical name of the payee. */
  payee: string
  reference: string
}

/** What `ralio_pay` reports, read back from Ralio after the payment agent's turn. */
export type PaymentStatus = 'paid' | 'awaiting_owner_approval' | 'processing' | 'not_executed' | 'mismatch'

const payment = z.object({
  amount: z.string(),
  currency: z.string(),
  payee: z.string(),
  reference: z.string(),
})

/** The statuses and fields of a `ralio_pay` result, for its output schema. */
export const paymentEffectOutput = {
  statuses: ['paid', 'awaiting_owner_approval', 'processing', 'not_executed', 'mismatch'],
  fields: {
    conversationId: z.string(),
    reply: z.string(),
    paymentIntentId: z.string(),
    paymentIntentIds: z.array(z.string()),
    transactionId: z.string(),
    approvalStatus: z.string(),
    executionStatus: z.string(),
    reason: z.string(),
    authorised: payment,
    executed: z.object({
      amount: z.optional(z.string()),
      currency: z.optional(z.string()),
      payees: z.array(z.string()),
    }),
  },
} satisfies { statuses: PaymentStatus[]; fields: Record<string, unknown> }

/** The fields of a `ralio_pay` result besides its status and message. */
export interface PaymentEffectFields {
  /** The Relynt receipt that authorised the payment (absent only for a tool built `unguarded`). */
  receiptId?: string
  conversationId: string
  /** The payment agent's answer, e.g. "Done: I paid £50.00 to Globex Holdings". */
  reply: string
  /** The one payment intent of the turn (not for `not_executed` without an intent, nor for several). */
  paymentIntentId?: string
  /** Every payment intent of the turn, when there was more than one (`mismatch`). */
  paymentIntentIds?: string[]
  transactionId?: string
  /** Ralio's own approval (`auto_approved`, `approved_by_user`, `pending_user_approval`, `rejected`). */
  approvalStatus?: string
  /** Ralio's execution (`completed`, `pending`, `failed`). */
  executionStatus?: string
  /** Why nothing was paid, or how the payment differs from the authorisation. */
  reason?: string
  authorised?: AuthorisedPayment
  /** What Ralio set up, when it differs from the authorisation. */
  executed?: { amount?: string; currency?: string; payees: string[] }
}

// The intents of a conversation are among the newest; a turn that made more than this many
// payments is already a mismatch, and reading further would grow with the account's history.
const INTENT_SCAN_LIMIT = 200
const INTENT_PAGE_SIZE = 50

/** The payment intents of one conversation, from the newest {@link INTENT_SCAN_LIMIT} of the account. */
export async function intentsOfConversation(
  ralio: Pick<RalioToolsClient, 'paymentIntents'>,
  conversationId: string,
  agentId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<PaymentIntent[]> {
  const found: PaymentIntent[] = []
  let scanned = 0
  for await (const intent of ralio.paymentIntents.list({
    perPage: INTENT_PAGE_SIZE,
    ...(agentId === undefined ? {} : { agentId }),
    signal,
  })) {
    if (intent.conversationId === conversationId) found.push(intent)
    if (++scanned >= INTENT_SCAN_LIMIT) break
  }
  // A turn's intents read in the order the agent made them, however the pages are ordered.
  return found.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''))
}

/** "50", "50.0", "50.00" → 5000; undefined for anything that is not a plain decimal. */
export function minorUnits(decimal: string | undefined): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(decimal?.trim() ?? '')
  if (!match) return undefined
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'))
}

function payeeKeyOf(name: string | undefined): string | undefined {
  if (name === undefined || payeeProblem(name) !== undefined) return undefined
  return canonicalPayee(name).key
}

/** How the intent differs from the authorisation, or undefined when it is the authorised payment. */
function differences(intent: PaymentIntent, authorised: AuthorisedPayment): string | undefined {
  const problems: string[] = []
  const amount = minorUnits(authorised.amount)
  const legs = intent.instructions
  if (legs.length !== 1 || intent.instructionCount > 1) {
    problems.push(`it has ${Math.max(legs.length, intent.instructionCount)} payments instead of one`)
  }
  if (minorUnits(intent.totalAmount) !== amount) {
    problems.push(`amount ${intent.totalAmount ?? '(none)'} instead of ${authorised.amount}`)
  }
  if (intent.currency !== authorised.currency) {
    problems.push(`currency ${intent.currency ?? '(none)'} instead of ${authorised.currency}`)
  }
  const payee = canonicalPayee(authorised.payee).key
  for (const leg of legs) {
    if (payeeKeyOf(leg.creditorName) !== payee) {
      problems.push(`creditor "${leg.creditorName ?? '(none)'}" instead of "${authorised.payee}"`)
    }
    if (leg.amount !== undefined && minorUnits(leg.amount) !== amount && legs.length === 1) {
      problems.push(`leg amount ${leg.amount} instead of ${authorised.amount}`)
    }
    if (leg.currency !== undefined && leg.currency !== authorised.currency) {
      problems.push(`leg currency ${leg.currency} instead of ${authorised.currency}`)
    }
  }
  return problems.length === 0 ? undefined : problems.join('; ')
}

/** What {@link observePayment} needs: the turn the payment agent was told to pay in, and what was authorised. */
export interface ObservePaymentOptions {
  /** The conversation of the turn (`chat.send(...).conversationId`, or the stream's). */
  conversationId: string
  /** The payment agent's answer, quoted when nothing was paid. */
  reply: string
  authorised: AuthorisedPayment
  /** The Relynt receipt that authorised the payment. */
  receiptId?: string
  /** The Ralio agent the payment was made by, when the binding sees more than one. */
  agentId?: string
  signal?: AbortSignal
  /** Where a `mismatch` is logged at error level (default: the console). */
  logger?: Logger | LogLevel
}

/**
 * After a payment agent's turn, what Ralio actually did, compared with what was authorised —
 * for a host that guards payments with `relynt.guard()` instead of `ralio_pay`:
 *
 * ```ts
 * const { value: turn, authorization } = await relynt.guard(request, () => ralio.chat.send({ message }))
 * const effect = await observePayment(ralio, { ...turn, authorised, receiptId: authorization.receiptId })
 * if (effect.status !== 'paid') … // not_executed, mismatch, awaiting_owner_approval, processing
 * ```
 */
export async function observePayment(
  ralio: Pick<RalioToolsClient, 'paymentIntents'>,
  options: ObservePaymentOptions,
): Promise<ObservedEffect<PaymentStatus, PaymentEffectFields>> {
  const intents = await intentsOfConversation(ralio, options.conversationId, options.agentId, options.signal)
  return paymentEffect({
    authorised: options.authorised,
    receiptId: options.receiptId,
    conversationId: options.conversationId,
    reply: options.reply,
    intents,
    logger: createLogger(options.logger, 'agent-tools', 'error'),
  })
}

export interface PaymentTurn {
  authorised: AuthorisedPayment
  receiptId: string | undefined
  conversationId: string
  reply: string
  intents: PaymentIntent[]
  logger: Logger
}

/**
 * What the payment agent's turn did, compared with what was authorised: `paid` only when Ralio
 * shows exactly one intent of the authorised amount, currency and payee, approved and executed.
 */
export function paymentEffect(turn: PaymentTurn): ObservedEffect<PaymentStatus, PaymentEffectFields> {
  const { authorised, intents } = turn
  const base: PaymentEffectFields = {
    ...(turn.receiptId === undefined ? {} : { receiptId: turn.receiptId }),
    conversationId: turn.conversationId,
    reply: turn.reply,
  }
  const what = `${authorised.amount} ${authorised.currency} to ${authorised.payee}`
  if (intents.length === 0) {
    return observedEffect('not_executed', {
      isError: true,
      message:
        `Nothing was paid: Ralio set up no payment for ${what}. The payment agent said: "${turn.reply}". ` +
        'Fix what it names (amount, currency, balance) before paying again.',
      fields: { ...base, reason: turn.reply },
    })
  }
  if (intents.length > 1) {
    return mismatch(turn, base, intents, `the turn set up ${intents.length} payment intents instead of one`)
  }
  const intent = intents[0]!
  const difference = differences(intent, authorised)
  if (difference !== undefined) return mismatch(turn, base, intents, difference)

  const leg = intent.instructions[0]
  const observed: PaymentEffectFields = {
    ...base,
    paymentIntentId: intent.id,
    ...(leg?.transactionId ? { transactionId: leg.transactionId } : {}),
    ...(intent.approvalStatus === undefined ? {} : { approvalStatus: intent.approvalStatus }),
    ...(intent.executionStatus === undefined ? {} : { executionStatus: intent.executionStatus }),
  }
  const failure = leg?.executionError ?? intent.decisionReason
  if (
    intent.approvalStatus === 'rejected' ||
    intent.executionStatus === 'failed' ||
    leg?.status === 'failed'
  ) {
    return observedEffect('not_executed', {
      isError: true,
      message:
        `Nothing was paid: Ralio did not execute payment intent ${intent.id} for ${what}` +
        `${failure ? ` (${failure})` : ''}. Fix that before paying again.`,
      fields: { ...observed, reason: failure ?? turn.reply },
    })
  }
  if (intent.approvalStatus === 'pending_user_approval') {
    return observedEffect('awaiting_owner_approval', {
      isError: false,
      message:
        `Not paid yet: payment intent ${intent.id} for ${what} waits for the account owner's approval in Ralio. ` +
        'Do not pay again; check it later with ralio_list_payment_intents.',
      fields: observed,
    })
  }
  if (intent.executionStatus === 'completed' || leg?.status === 'completed') {
    return observedEffect('paid', {
      isError: false,
      message:
        `Paid ${what} (payment intent ${intent.id}${leg?.transactionId ? `, transaction ${leg.transactionId}` : ''}). ` +
        'Done: do not pay again.',
      fields: observed,
    })
  }
  return observedEffect('processing', {
    isError: false,
    message:
      `Ralio approved payment intent ${intent.id} for ${what} and has not finished executing it. ` +
      'Do not pay again; check it later with ralio_list_payment_intents.',
    fields: observed,
  })
}

function mismatch(
  turn: PaymentTurn,
  base: PaymentEffectFields,
  intents: PaymentIntent[],
  difference: string,
): ObservedEffect<PaymentStatus, PaymentEffectFields> {
  const executed = {
    ...(intents.length === 1 ? { amount: intents[0]!.totalAmount, currency: intents[0]!.currency } : {}),
    payees: intents.flatMap((intent) => intent.instructions.map((leg) => leg.creditorName ?? '(none)')),
  }
  const ids = intents.map((intent) => intent.id)
  const fields: PaymentEffectFields = {
    ...base,
    ...(ids.length === 1 ? { paymentIntentId: ids[0] } : { paymentIntentIds: ids }),
    reason: difference,
    authorised: turn.authorised,
    executed,
  }
  turn.logger.error(`ralio_pay: Ralio's payment differs from the authorisation: ${difference}`, {
    receiptId: turn.receiptId,
    paymentIntentIds: ids,
    authorised: turn.authorised,
    executed,
  })
  return observedEffect('mismatch', {
    isError: true,
    message:
      `Ralio's payment differs from what was authorised: ${difference} (payment intent ${ids.join(', ')}). ` +
      'Do not retry: a person must review it.',
    fields,
  })
}
