import * as z from 'zod/mini'
import { optionalText } from './wire-types.js'

const conversationData = z.lazy(() =>
  z.pipe(
    z.looseObject({ conversation_id: z.string() }),
    z.transform((wire) => ({ conversationId: wire.conversation_id })),
  ),
)

const toolData = z.lazy(() =>
  z.pipe(
    z.looseObject({
      tool_call_id: optionalText,
      tool_name: optionalText,
      arguments: z.optional(z.unknown()),
      result: z.optional(z.unknown()),
      error: z.optional(z.unknown()),
    }),
    z.transform((wire) => ({
      toolCallId: wire.tool_call_id,
      toolName: wire.tool_name,
      ...(wire.arguments !== undefined && { arguments: wire.arguments }),
      ...(wire.result !== undefined && { result: wire.result }),
      ...(wire.error !== undefined && { error: wire.error }),
    })),
  ),
)

const textData = z.lazy(() =>
  z.pipe(
    z.looseObject({ text: z.string() }),
    z.transform((wire) => ({ text: wire.text })),
  ),
)

/**
 * Data of a `conversation` event: the conversation this reply belongs to.
 * @useDeclaredType
 */
export type ConversationEventData = z.output<typeof conversationData>
/**
 * Data of a `tool_started` / `tool_completed` event: a tool the agent runs, such as `create_payment_intent`.
 * @useDeclaredType
 */
export type ToolEventData = z.output<typeof toolData>
/**
 * Data of a `text_delta` (a piece of the reply) or `reply` (all of it) event.
 * @useDeclaredType
 */
export type TextEventData = z.output<typeof textData>

/** Per known event name, the schema that turns its wire data into SDK shape. */
export const chatStreamEventSchemas: Record<string, z.ZodMiniType<unknown>> = {
  conversation: conversationData,
  tool_started: toolData,
  tool_completed: toolData,
  tool_failed: toolData,
  text_delta: textData,
  reply: textData,
}
