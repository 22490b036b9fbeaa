import type { SseMessage } from '@x/core/internal'
import { describe, expect, it } from 'vitest'
import { ChatStream, type ChatStreamEvent, plainText } from '../src/resources/chat-stream.js'

function streamOf(events: SseMessage[]): ChatStream {
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

/** An event as the parser hands it over: its name and its data text. */
const sse = (event: string, data: unknown): SseMessage => ({
  event,
  data: typeof data === 'string' ? data : JSON.stringify(data),
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

  it('an event named after an Object property (`constructor`, `__proto__`, `toString`) is unknown, not a crash', async () => {
    const events = await collect(
      streamOf([sse('constructor', { a: 1 }), sse('__proto__', { b: 2 }), sse('toString', 'x')]),
    )
    expect(events.map((event) => [event.event, event.name])).toEqual([
      ['unknown', 'constructor'],
      ['unknown', '__proto__'],
      ['unknown', 'toString'],
    ])
  })

  it('an event without a name is `message`, surfaced as unknown', async () => {
    const [event] = await collect(streamOf([{ data: '{"x":1}' }]))
    expect(event).toMatchObject({ event: 'unknown', name: 'message', data: { x: 1 } })
  })

  it('text deltas read with and without JSON.parse are the same event', async () => {
    const wire = [
      '{"text":"plain"}',
      '{"text": "spaced as Python writes it"}',
      '{"text":"with \\"quotes\\" and \\\\ and \\n"}',
      '{"text":"\\u00e9t\\u00e9"}',
      '{"text":"été, 東京, 🙂"}',
      '{"text":""}',
      '{"text":"a","extra":1}',
      '{ "text":"other spacing" }',
    ]
    const events = await collect(streamOf(wire.map((data) => ({ event: 'text_delta', data }))))
    expect(events).toEqual(
      wire.map((data) => {
        const { text } = JSON.parse(data) as { text: string }
        return { event: 'text_delta', name: 'text_delta', data: { text }, raw: data, text }
      }),
    )
  })
})

describe('plainText: the text of `{"text":"…"}` without JSON.parse', () => {
  const characters = [
    'a',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\t',
    '\u0000',
    '\u001f',
    '\u007f',
    'é',
    '\u2028',
    '🙂',
    '\ud800',
    '}',
    '{',
  ]

  it('returns exactly what JSON.parse would, or undefined, for every string of up to 3 of these characters', () => {
    const strings = ['']
    for (let length = 1; length <= 3; length++) {
      for (const prefix of strings.filter((s) => [...s].length === length - 1)) {
        for (const character of characters) strings.push(prefix + character)
      }
    }
    let fast = 0
    for (const text of strings) {
      for (const raw of [
        `{"text":"${text}"}`,
        `{"text": "${text}"}`,
        JSON.stringify({ text }),
        `{"text":${JSON.stringify(text)}}`,
      ]) {
        const read = plainText(raw)
        if (read === undefined) continue
        fast++
        expect(read, raw).toBe((JSON.parse(raw) as { text: string }).text)
      }
    }
    // The fast path is taken for most texts: the test is not vacuous.
    expect(fast).toBeGreaterThan(strings.length / 2)
  })

  it('leaves every malformed or differently shaped text to JSON.parse', () => {
    for (const raw of [
      '{"text":"}',
      '{"text":"',
      '{"text":"a"',
      '{"text":"a"}x',
      '{"text":"a" }',
      '{"text":"a"}}',
      '{"text":1}',
      '"text"',
      '',
    ]) {
      expect(plainText(raw), raw).toBeUndefined()
    }
  })
})
