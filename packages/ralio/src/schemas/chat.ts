import * as z from 'zod/mini'
import { type OpenString, optionalText } from './wire-types.js'

/** Who wrote a chat message; unknown roles from a newer server pass through as strings. */
export type MessageRole = OpenString<
  'user' | 'assistant' | 'tool' | 'system' | 'alignment_approval' | 'spend_limit_approval'
>

export const chatMessageSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      id: z.catch(z.nullish(z.union([z.string(), z.number()])), undefined),
      role: z.catch(z.string(), 'unknown'),
      content: z.optional(z.unknown()),
      created_at: optionalText,
    }),
    z.transform((wire) => ({
      id: wire.id == null ? undefined : String(wire.id),
      role: wire.role as MessageRole,
      // Usually text; tool and approval messages may carry structured content.
      content: wire.content,
      createdAt: wire.created_at,
    })),
  ),
)

/**
 * One message of a conversation.
 * @useDeclaredType
 */
export type ChatMessage = z.output<typeof chatMessageSchema>

export const chatResponseSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      reply: z.string(),
      conversation_id: z.string(),
      new_messages: z.catch(z.nullish(z.array(chatMessageSchema)), undefined),
    }),
    z.transform((wire) => ({
      reply: wire.reply,
      conversationId: wire.conversation_id,
      newMessages: wire.new_messages ?? [],
    })),
  ),
)

/**
 * The agent's whole reply to `chat.send()`.
 * @useDeclaredType
 */
export type ChatResponse = z.output<typeof chatResponseSchema>
