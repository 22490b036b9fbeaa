import * as z from 'zod/mini'
import type { AgentTool } from '../agent-tool.js'
import type { ObservedEffect } from '../observed-effect.js'
import { type canonicalPayee, payeeProblem, textProblem } from '../payee/canonical-payee.js'
import { paymentInstruction } from '../payee/payment-instruction.js'
import { maybeGuardedTool } from './maybe-guarded-tool.js'
import {
  observePayment,
  type PaymentEffectFields,
  type PaymentStatus,
  paymentEffectOutput,
} from './payment-effect.js'
import { guardOf, type RalioToolsOptions } from './ralio-client-like.js'
import { authorisedPayment, RALIO_PAY_ACTION, ralioPayRequest } from './ralio-pay-payload.js'

// Text goes to the payment agent: no invisible or line-breaking characters, lengths a person can
// read in an approval; a payee must also have one identity (see canonicalPayee).
const checkedText = (problem: (text: string) => string | undefined) =>
  z
    .string()
    .check(
      z.refine((text) => problem(text) === undefined, { error: (issue) => problem(issue.input as string) }),
    )

const payInput = z.object({
  amount: z
    .string()
    .check(
      z.regex(/^\d{1,9}(\.\d{1,2})?$/),
      z.describe('Decimal amount with at most two decimals, e.g. "120.00". Never a negative number.'),
    ),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/), z.describe('ISO 4217 currency code, e.g. "GBP".')),
  payee: checkedText(payeeProblem).check(z.describe('Who is paid, e.g. "Acme Stationery".')),
  reference: checkedText((text) => textProblem(text, 'reference')).check(
    z.describe('What the payment is for, e.g. "invoice 2026-041".'),
  ),
})

/**
 * What the model sends `ralio_pay`.
 * @useDeclaredType
 */
export type PayInput = z.infer<typeof payInput>

/**
 * What `ralio_pay`'s work observed, read back from Ralio after the payment agent's turn: the
 * call ends on its status (`paid`, `awaiting_owner_approval`, `processing`, `not_executed`,
 * `mismatch`) with these fields, never on `allowed`.
 */
export type PayResult = ObservedEffect<PaymentStatus, PaymentEffectFields>

/**
 * `ralio_pay`: a structured payment. Relynt authorises it as action `ralio.pay` on the payee's
 * canonical resource (`ralio:payee:<key>`, see {@link canonicalPayee}) with the amount (a number,
 * for the policy's thresholds), currency, payee and reference in the payload; then Ralio's payment
 * agent is given exactly those fields (see {@link paymentInstruction}).
 */
export function ralioPayTool(options: RalioToolsOptions): AgentTool<PayInput, PayResult> {
  const relynt = guardOf(options, 'ralio_pay')
  return maybeGuardedTool(relynt, {
    name: 'ralio_pay',
    description:
      'Pay someone through the Ralio payment agent. Every payment is checked against the organisation policy first: ' +
      'it may be denied or need a person to approve it. The result says what Ralio did: "paid" (with the payment ' +
      'intent id) is the only success; "not_executed" and "mismatch" mean nothing was paid as asked.',
    input: payInput,
    action: RALIO_PAY_ACTION,
    resource: (input) => ralioPayRequest(input).resource,
    payload: (input) => ralioPayRequest(input).payload,
    // Reconciliation rebuilds this request from the executed payment to check the receipt's hash.
    payloadToolCallId: false,
    output: { effects: paymentEffectOutput },
    annotations: { title: 'Pay with Ralio', destructiveHint: true, readOnlyHint: false },
    pending: options.pending,
    approvalTimeoutMs: options.approvalTimeoutMs,
    pendingCalls: options.pendingCalls,
    pendingCallTtlMs: options.pendingCallTtlMs,
    async execute(input, { signal, authorization }) {
      const payment = authorisedPayment(input)
      const receiptId = authorization?.receiptId
      const startedAt = Date.now()
      const { reply, conversationId, newMessages } = await options.ralio.chat.send({
        message: paymentInstruction({
          amount: payment.amount,
          currency: payment.currency,
          creditor: payment.payee,
          reference: payment.reference,
          receiptId,
        }),
        agentId: options.agentId,
        signal,
      })
      return observePayment(options.ralio, {
        authorised: payment,
        receiptId,
        conversationId,
        newMessages,
        startedAt,
        reply,
        agentId: options.agentId,
        signal,
        logger: options.logger,
      })
    },
  })
}
