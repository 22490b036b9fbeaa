import { MockLanguageModelV4 } from 'ai/test'

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
}

/** A model that calls one tool, then answers with text: what a real model does on "pay X". */
export function modelCalling(toolName: string, input: Record<string, unknown>, toolCallId: string) {
  return new MockLanguageModelV4({
    doGenerate: [
      {
        content: [{ type: 'tool-call', toolCallId, toolName, input: JSON.stringify(input) }],
        finishReason: { unified: 'tool-calls', raw: undefined },
        usage,
        warnings: [],
      },
      {
        content: [{ type: 'text', text: 'Done.' }],
        finishReason: { unified: 'stop', raw: undefined },
        usage,
        warnings: [],
      },
    ],
  })
}

/** The tool result the model was given on its second step, as the AI SDK encoded it. */
export function toolOutputSentBack(model: MockLanguageModelV4): {
  type: string
  value: Record<string, unknown>
} {
  const toolMessage = model.doGenerateCalls[1]!.prompt.find((message) => message.role === 'tool')!
  const part = (toolMessage.content as Array<{ type: string; output?: unknown }>).find(
    (content) => content.type === 'tool-result',
  )!
  return part.output as { type: string; value: Record<string, unknown> }
}
