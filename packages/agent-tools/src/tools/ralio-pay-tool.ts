import * as z from 'zod/mini'
import type { AgentTool } from '../agent-tool.js'
import { maybeGuardedTool } from './maybe-guarded-tool.js'
import { guardOf, type RalioToolsOptions } from './ralio-client-like.js'

// Free text goes to the payment agent: no line breaks or control characters that could start
// a second instruction, and lengths a person could read in an approval.
const plainText = (max: number) =>
  z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^[^\p{Cc}]+$/u))

const payInput = z.object({
  amount: z
    .string()
    .check(
      z.regex(/^\d{1,9}(\.\d{1,2})?$/),
      z.describe('Decimal amount with at most two decimals, e.g. "120.00". Never a negative number.'),
    ),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/), z.describe('ISO 4217 currency code, e.g. "GBP".')),
  payee: plainText(140).check(z.describe('Who is paid, e.g. "Acme Stationery".')),
  reference: plainText(140).check(z.describe('What the payment is for, e.g. "invoice 2026-041".')),
})

/**
 * What the model sends `ralio_pay`.
 * @useDeclaredType
 */
export type PayInput = z.infer<typeof payInput>

/** What `ralio_pay` returns once the payment agent has answered. */
export interface PayResult {
  /** The payment agent's answer, e.g. "Paid £120.00 to Acme Stationery". */
  reply: string
  conversationId: string
}

/**
 * `ralio_pay`: a structured payment. Relynt authorises it as action `ralio.pay` on
 * `ralio:payee:<payee slug>` with the amount (a number, for the policy's thresholds), currency,
 * payee and reference in the payload; then Ralio's payment agent is told to pay.
 */
export function ralioPayTool(options: RalioToolsOptions): AgentTool<PayInput, PayResult> {
  const relynt = guardOf(options, 'ralio_pay')
  return maybeGuardedTool(relynt, {
    name: 'ralio_pay',
    description:
      'Pay someone through the Ralio payment agent. Every payment is checked against the organisation policy first: ' +
      'it may be allowed, denied, or need a person to approve it.',
    input: payInput,
    action: 'ralio.pay',
    resource: (input) => `ralio:payee:${payeeSlug(input.payee)}`,
    payload: (input) => ({
      // The policy compares amounts with numeric thresholds; the payment itself keeps the decimal string.
      amount: Number(input.amount),
      currency: input.currency,
      payee: input.payee,
      reference: input.reference,
    }),
    annotations: { title: 'Pay with Ralio', destructiveHint: true, readOnlyHint: false },
    pending: options.pending,
    approvalTimeoutMs: options.approvalTimeoutMs,
    pendingCalls: options.pendingCalls,
    pendingCallTtlMs: options.pendingCallTtlMs,
    async execute(input, { signal }) {
      const { reply, conversationId } = await options.ralio.chat.send({
        message: paymentMessage(input),
        agentId: options.agentId,
        signal,
      })
      return { reply, conversationId }
    },
  })
}

/** "Pay 120.00 GBP to Acme Stationery for office supplies": the owner's words, from the checked fields only. */
export function paymentMessage(input: PayInput): string {
  return `Pay ${input.amount} ${input.currency} to ${input.payee} for ${input.reference}`
}

/**
 * `Acme Stationery` → `acme-stationery`. One spelling per payee, so a model cannot slip past a
 * rule on `ralio:payee:acme-stationery` by writing `ACME  stationery`.
 */
export function payeeSlug(payee: string): string {
  const slug = payee
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
  return slug === '' ? 'unnamed' : slug
}
