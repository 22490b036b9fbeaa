import * as z from 'zod/mini'
import type { AgentTool } from '../agent-tool.js'
import { maybeGuardedTool } from './maybe-guarded-tool.js'
import { agentIdResolver, guardOf, type RalioToolsOptions } from './ralio-client-like.js'

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

/** What `ralio_chat` returns: the agent's reply and the conversation to continue. */
export interface ChatResult {
  reply: string
  conversationId: string
}

/**
 * `ralio_chat`: free text to Ralio's payment agent, which can pay. Relynt authorises each
 * message as action `ralio.chat` on `ralio:agent:<agentId>` with the message in the payload.
 */
export function ralioChatTool(options: RalioToolsOptions): AgentTool<ChatInput, ChatResult> {
  const relynt = guardOf(options, 'ralio_chat')
  const agentId = agentIdResolver(options)
  return maybeGuardedTool(relynt, {
    name: 'ralio_chat',
    description:
      'Talk to the Ralio payment agent (balances, payments, questions). It can move money, so each message is ' +
      'checked against the organisation policy first. Prefer ralio_pay for a payment.',
    input: chatInput,
    action: 'ralio.chat',
    resource: async () => `ralio:agent:${await agentId()}`,
    payload: (input) =>
      input.conversationId === undefined
        ? { message: input.message }
        : { message: input.message, conversation_id: input.conversationId },
    annotations: { title: 'Chat with the Ralio payment agent', destructiveHint: true, readOnlyHint: false },
    pending: options.pending,
    approvalTimeoutMs: options.approvalTimeoutMs,
    pendingCalls: options.pendingCalls,
    pendingCallTtlMs: options.pendingCallTtlMs,
    async execute(input, { signal }) {
      const { reply, conversationId } = await options.ralio.chat.send({
        message: input.message,
        conversationId: input.conversationId,
        agentId: await agentId(signal),
        signal,
      })
      return { reply, conversationId }
    },
  })
}
