import * as z from 'zod/mini'
import type { AgentTool } from '../agent-tool.js'
import { type ObservedEffect, observedEffect } from '../observed-effect.js'
import { maybeGuardedTool } from './maybe-guarded-tool.js'
import { intentsOfTurn } from './payment-effect.js'
import { agentIdResolver, guardOf, type RalioToolsOptions, toolsLogger } from './ralio-client-like.js'

const chatInput = z.object({
  message: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(4000),
      z.describe('What to ask or tell the Ralio payment agent, in plain words.'),
    ),
  conversationId: z.optional(
    z.string().check(z.minLength(1), z.describe('Continue this conversation (from an earlier reply).')),
  ),
})

/**
 * What the model sends `ralio_chat`.
 * @useDeclaredType
 */
export type ChatInput = z.infer<typeof chatInput>

/**
 * What `ralio_chat` returns: the agent's reply and the conversation to continue (status
 * `allowed`) — or, when the turn made a payment, an `unguarded_payment` effect naming it.
 */
export type ChatResult =
  | { reply: string; conversationId: string }
  | ObservedEffect<'unguarded_payment', UnguardedPaymentFields>

/** The fields of an `unguarded_payment` result. */
export interface UnguardedPaymentFields {
  receiptId?: string
  conversationId: string
  reply: string
  /** The payment intents this turn set up, which no policy saw as payments. */
  paymentIntentIds: string[]
}

/**
 * `ralio_chat`: free text to Ralio's payment agent, which can pay. Relynt authorises each
 * message as action `ralio.chat` on `ralio:agent:<agentId>` with the message in the payload; a
 * policy cannot see a payee or an amount in free text, so the tool is not in the default set of
 * {@link createAgentTools}, and after each turn it reads the conversation's payment intents: any
 * new one ends the call on `unguarded_payment` (an error result, logged at error level).
 */
export function ralioChatTool(options: RalioToolsOptions): AgentTool<ChatInput, ChatResult> {
  const relynt = guardOf(options, 'ralio_chat')
  const agentId = agentIdResolver(options)
  const logger = toolsLogger(options)
  return maybeGuardedTool(relynt, {
    name: 'ralio_chat',
    description:
      'Ask the Ralio payment agent about balances and past payments. Never use it to pay: a payment goes through ' +
      'ralio_pay, which the organisation policy checks payee by payee; a payment made here is reported as ' +
      'unguarded_payment.',
    input: chatInput,
    action: 'ralio.chat',
    resource: async () => `ralio:agent:${await agentId()}`,
    payload: (input) =>
      input.conversationId === undefined
        ? { message: input.message }
        : { message: input.message, conversation_id: input.conversationId },
    output: {
      result: z.object({ reply: z.string(), conversationId: z.string() }),
      effects: {
        statuses: ['unguarded_payment'],
        fields: { conversationId: z.string(), reply: z.string(), paymentIntentIds: z.array(z.string()) },
      },
    },
    annotations: { title: 'Chat with the Ralio payment agent', destructiveHint: true, readOnlyHint: false },
    pending: options.pending,
    approvalTimeoutMs: options.approvalTimeoutMs,
    pendingCalls: options.pendingCalls,
    pendingCallTtlMs: options.pendingCallTtlMs,
    async execute(input, { signal, authorization }) {
      const agent = await agentId(signal)
      // Only the intents made since this turn began: a continued conversation's earlier ones are not its doing.
      const startedAt = Date.now()
      const { reply, conversationId, newMessages } = await options.ralio.chat.send({
        message: input.message,
        conversationId: input.conversationId,
        agentId: agent,
        signal,
      })
      const paid = await intentsOfTurn(options.ralio, {
        conversationId,
        continued: input.conversationId !== undefined,
        newMessages,
        startedAt,
        agentId: options.agentId,
        signal,
      })
      if (paid.length === 0) return { reply, conversationId }
      const paymentIntentIds = paid.map((intent) => intent.id)
      logger.error('ralio_chat: the payment agent made a payment no policy checked as a payment', {
        receiptId: authorization?.receiptId,
        conversationId,
        paymentIntentIds,
      })
      return observedEffect('unguarded_payment', {
        isError: true,
        message:
          `The payment agent set up ${paid.length === 1 ? 'a payment' : `${paid.length} payments`} ` +
          `(payment intent ${paymentIntentIds.join(', ')}) from a chat message, which no policy checked as a payment. ` +
          'Do not pay through ralio_chat: use ralio_pay. A person must review these payment intents.',
        fields: {
          ...(authorization === undefined ? {} : { receiptId: authorization.receiptId }),
          conversationId,
          reply,
          paymentIntentIds,
        },
      })
    },
  })
}
