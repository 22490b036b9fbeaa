import type { SseEvent } from '@x/core'
import { describe, expect, it } from 'vitest'
import { ChatStream, type ChatStreamEvent } from '../src/resources/chat-stream.js'

function streamOf(events: SseEvent[]): ChatStream {
  return new ChatStream(async (map) => ({
    response: Promise.resolve(new Response(null)),
    abort() {},
    async *[Symbol.asyncIterator]() {
      for (const event of events) yield map(event)
    },
    async *batches() {
      yield events.map(map)
    },
  }))
}

const sse = (event: string, data: unknown): SseEvent => ({
  event,
  data,
  raw: typeof data === 'string' ? data : JSON.stringify(data),
})

async function collect(stream: ChatStream): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}

describe('chat stream events', () => {
  it('narrows data by event name and converts it to camelCase', async () => {
    const events = await collect(
      streamOf([
        sse('conversation', { conversation_id: 'conv_1' }),
        sse('tool_started', {
          tool_call_id: 'call_1',
          tool_name: 'create_payment_intent',
          arguments: { a: 1 },
        }),
        sse('reply', { text: 'Done' }),
      ]),
    )
    const toolNames = events.flatMap((event) => (event.event === 'tool_started' ? [event.data.toolName] : []))
    expect(toolNames).toEqual(['create_payment_intent'])
    expect(events[0]).toMatchObject({
      event: 'conversation',
      name: 'conversation',
      data: { conversationId: 'conv_1' },
    })
    expect(events[2]).toMatchObject({ event: 'reply', name: 'reply', text: 'Done' })
  })

  it('surfaces an event this version does not know as `unknown`, named and as sent', async () => {
    const [event] = await collect(streamOf([sse('thinking', { step: 2, text: 'checking balance' })]))
    expect(event).toEqual({
      event: 'unknown',
      name: 'thinking',
      data: { step: 2, text: 'checking balance' },
      raw: '{"step":2,"text":"checking balance"}',
      text: 'checking balance',
    })
  })

  it('surfaces a known event with unexpected data as `unknown` rather than failing', async () => {
    const [event] = await collect(streamOf([sse('tool_started', 'not json')]))
    expect(event).toMatchObject({ event: 'unknown', name: 'tool_started', data: 'not json' })
  })

  it('remembers the conversation id from the conversation event', async () => {
    const stream = streamOf([
      sse('conversation', { conversation_id: 'conv_9' }),
      sse('reply', { text: 'ok' }),
    ])
    await expect(stream.finalReply()).resolves.toEqual({ reply: 'ok', conversationId: 'conv_9' })
    expect(stream.conversationId).toBe('conv_9')
  })
})
