import { z } from 'zod'
import { type OpenString, optionalText } from './wire-types.js'

export type MessageRole = OpenString<
  'user' | 'assistant' | 'tool' | 'system' | 'alignment_approval' | 'spend_limit_approval'
>

export const chatMessageSchema = z
  .looseObject({
    id: z.union([z.string(), z.number()]).nullish().catch(undefined),
    role: z.string().catch('unknown'),
    content: z.unknown().optional(),
    created_at: optionalText,
  })
  .transform((wire) => ({
    id: wire.id == null ? undefined : String(wire.id),
    role: wire.role as MessageRole,
    // Usually text; tool and approval messages may carry structured content.
    content: wire.content,
    createdAt: wire.created_at,
  }))

export type ChatMessage = z.output<typeof chatMessageSchema>

export const chatResponseSchema = z
  .looseObject({
    reply: z.string(),
    conversation_id: z.string(),
    new_messages: z.array(chatMessageSchema).nullish().catch(undefined),
  })
  .transform((wire) => ({
    reply: wire.reply,
    conversationId: wire.conversation_id,
    newMessages: wire.new_messages ?? [],
  }))

export type ChatResponse = z.output<typeof chatResponseSchema>
