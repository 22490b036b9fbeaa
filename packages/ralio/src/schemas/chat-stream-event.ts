import { z } from 'zod'
import { optionalText } from './wire-types.js'

const conversationData = z
  .looseObject({ conversation_id: z.string() })
  .transform((wire) => ({ conversationId: wire.conversation_id }))

const toolData = z
  .looseObject({
    tool_call_id: optionalText,
    tool_name: optionalText,
    arguments: z.unknown().optional(),
    result: z.unknown().optional(),
    error: z.unknown().optional(),
  })
  .transform((wire) => ({
    toolCallId: wire.tool_call_id,
    toolName: wire.tool_name,
    ...(wire.arguments !== undefined && { arguments: wire.arguments }),
    ...(wire.result !== undefined && { result: wire.result }),
    ...(wire.error !== undefined && { error: wire.error }),
  }))

const textData = z.looseObject({ text: z.string() }).transform((wire) => ({ text: wire.text }))

export type ConversationEventData = z.output<typeof conversationData>
export type ToolEventData = z.output<typeof toolData>
export type TextEventData = z.output<typeof textData>

/** Per known event name, the schema that turns its wire data into SDK shape. */
export const chatStreamEventSchemas: Record<string, z.ZodType<unknown>> = {
  conversation: conversationData,
  tool_started: toolData,
  tool_completed: toolData,
  tool_failed: toolData,
  text_delta: textData,
  reply: textData,
}
