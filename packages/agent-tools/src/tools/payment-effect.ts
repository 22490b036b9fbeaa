import { UserAbortError } from '@x/core'
import { createLogger, type Logger, type LogLevel } from '@x/core/internal'
import type { ChatMessage, PaymentIntent } from '@x/ralio'
import * as z from 'zod/mini'
import { AgentToolsError } from '../errors.js'
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

// Ralio lists an account's intents newest first and has no filter by conversation, so a turn's
// intents are found by reading back to the moment the turn began. A page holds at most 200
// (the wire's maximum); past MAX_INTENTS_READ the reading gives up and says it could not see.
const INTENT_PAGE_SIZE = 200
const MAX_INTENTS_READ = 5_000
// Intents and the turn's messages are stamped by the same server clock: a small margin covers
// rounding. The caller's own clock may differ from Ralio's (DPoP tolerates ±60 s): twice that.
const SERVER_CLOCK_MARGIN_MS = 5_000
const LOCAL_CLOCK_MARGIN_MS = 120_000

/** One turn of the payment agent: which conversation, and when it began. */
export interface AgentTurn {
  conversationId: string
  /** The turn's messages as Ralio returned them (`chat.send(...).newMessages`): their server time marks its start. */
  newMessages?: readonly ChatMessage[] | undefined
  /** When the message was sent, by this machine's clock (`Date.now()` before `chat.send`/`chat.stream`). */
  startedAt?: Date | number | undefined
  /**
   * The conversation had turns before this one: only intents made since this turn began count.
   * Default false: every intent of the conversation is the turn's, whatever the clocks say.
   */
  continued?: boolean | undefined
  /** The Ralio agent the turn was with, when the binding sees more than one. */
  agentId?: string | undefined
  signal?: AbortSignal | undefined
}

/**
 * When the turn began in Ralio's time: `exact` when Ralio dated it (intents of the turn are not
 * older), else the local start less a skew margin. `readTo`: how far back the reading goes.
 */
function turnBegan(turn: AgentTurn): { exact: number; readTo: number } | undefined {
  const stamped = (turn.newMessages ?? [])
    .map((message) => (message.createdAt === undefined ? Number.NaN : Date.parse(message.createdAt)))
    .filter((time) => !Number.isNaN(time))
  if (stamped.length > 0) {
    const began = Math.min(...stamped)
    return { exact: began, readTo: began - SERVER_CLOCK_MARGIN_MS }
  }
  if (turn.startedAt === undefined) return undefined
  const began = new Date(turn.startedAt).getTime() - LOCAL_CLOCK_MARGIN_MS
  return { exact: began, readTo: began }
}

/**
 * Raised after the payment agent's turn when what Ralio did could not be read back (code
 * `effect_unknown`): a payment may have been made, so the caller must not pay again.
 */
function effectUnknown(conversationId: string, why: string, cause?: unknown): AgentToolsError {
  return new AgentToolsError(
    `Could not tell whether Ralio made a payment in conversation ${conversationId}: ${why}. ` +
      'A payment may have been made: do not pay again; a person must check the payment intents in Ralio.',
    { code: 'effect_unknown', ...(cause === undefined ? {} : { cause }) },
  )
}

/**
 * The payment intents of one turn of the payment agent, oldest first: the account's intents are
 * read newest first until a page is wholly older than the turn. Throws an {@link AgentToolsError}
 * with code `effect_unknown` when they cannot be read, or the turn lies more than
 * {@link MAX_INTENTS_READ} intents back — never an empty list it did not see.
 */
export async function intentsOfTurn(
  ralio: Pick<RalioToolsClient, 'paymentIntents'>,
  turn: AgentTurn,
  { maxRead = MAX_INTENTS_READ }: { maxRead?: number } = {},
): Promise<PaymentIntent[]> {
  const perPage = Math.min(INTENT_PAGE_SIZE, maxRead)
  const began = turnBegan(turn)
  const before = (intent: PaymentIntent, time: number | undefined) =>
    time !== undefined && intent.createdAt !== undefined && Date.parse(intent.createdAt) < time
  // Intents made while we read push older ones onto later pages: the same id may come twice.
  const found = new Map<string, PaymentIntent>()
  let read = 0
  try {
    const newest = await ralio.paymentIntents.list({
      perPage,
      ...(turn.agentId === undefined ? {} : { agentId: turn.agentId }),
      signal: turn.signal,
    })
    for await (const page of newest.iterPages()) {
      let pageIsOld = true
      for (const intent of page.data) {
        if (
          intent.conversationId === turn.conversationId &&
          !(turn.continued && before(intent, began?.exact))
        ) {
          found.set(intent.id, intent)
        }
        pageIsOld &&= before(intent, began?.readTo)
      }
      read += page.data.length
      if (pageIsOld) return oldestFirst(found)
      if (read >= maxRead && page.hasNextPage()) {
        throw effectUnknown(
          turn.conversationId,
          `the turn is not within the newest ${maxRead} payment intents of the account`,
        )
      }
    }
  } catch (error) {
    if (turn.signal?.aborted || UserAbortError.isInstance(error) || AgentToolsError.isInstance(error))
      throw error
    throw effectUnknown(
      turn.conversationId,
      `reading its payment intents failed (${error instanceof Error ? error.message : String(error)})`,
      error,
    )
  }
  return oldestFirst(found)
}

// A turn's intents read in the order the agent made them, however the pages are ordered.
function oldestFirst(found: Map<string, PaymentIntent>): PaymentIntent[] {
  return [...found.values()].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''))
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
export interface ObservePaymentOptions extends AgentTurn {
  /** The payment agent's answer, quoted when nothing was paid. */
  reply: string
  authorised: AuthorisedPayment
  /** The Relynt receipt that authorised the payment. */
  receiptId?: string
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
 *
 * The turn's intents are read back to when it began, from `newMessages` (spread from
 * `chat.send`'s answer) or `startedAt` (take `Date.now()` before a `chat.stream`); with
 * neither, the account's whole history is read. Throws an `AgentToolsError` with code
 * `effect_unknown` when Ralio's intents cannot be read or the turn is more than 5 000
 * intents back: a payment may have been made, so do not pay again.
 */
export async function observePayment(
  ralio: Pick<RalioToolsClient, 'paymentIntents'>,
  options: ObservePaymentOptions,
): Promise<ObservedEffect<PaymentStatus, PaymentEffectFields>> {
  const intents = await intentsOfTurn(ralio, options)
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
