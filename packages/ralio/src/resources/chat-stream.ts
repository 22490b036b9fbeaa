import {
  lazyAsyncIterator,
  noTelemetry,
  parseSseData,
  type SpanScope,
  type SseMessage,
  type SseStream,
  sseEventName,
  type Telemetry,
} from '@x/core/internal'
import { RalioConnectionError } from '../errors.js'
import {
  type ConversationEventData,
  chatStreamEventSchemas,
  type TextEventData,
  type ToolEventData,
} from '../schemas/chat-stream-event.js'

/**
 * One event of a chat stream. `switch (event.event)` narrows `data` for the known events;
 * `name` is always the server's event name.
 */
export type ChatStreamEvent =
  | { event: 'conversation'; name: string; data: ConversationEventData; raw: string; text?: undefined }
  | {
      event: 'tool_started' | 'tool_completed' | 'tool_failed'
      name: string
      data: ToolEventData
      raw: string
      text?: undefined
    }
  | { event: 'text_delta' | 'reply'; name: string; data: TextEventData; raw: string; text: string }
  /**
   * An event this SDK version doesn't know, or a known one whose data has an unexpected
   * shape: `name` says which, `data` is the JSON (or text) as sent. A distinct `event`
   * value, rather than the raw name, is what lets the known events narrow.
   */
  | { event: 'unknown'; name: string; data: unknown; raw: string; text?: string | undefined }

/** What `ChatStream.finalReply()` returns: the whole reply once the stream ended. */
export interface ChatStreamResult {
  reply: string
  conversationId: string | undefined
}

/**
 * A chat reply as it is produced. Iterate it once for events; `finalReply()` reads it
 * to the end instead. Leaving the loop early (`break`) or `abort()` closes the
 * connection. A stream is never re-sent once it started: a cut is an error.
 */
export class ChatStream implements AsyncIterable<ChatStreamEvent> {
  readonly #telemetry: Telemetry
  readonly #open: (map: (message: SseMessage) => ChatStreamEvent) => Promise<SseStream<ChatStreamEvent>>
  #stream: Promise<SseStream<ChatStreamEvent>> | undefined
  #iterated = false
  #conversationId: string | undefined

  /**
   * @internal `open` sends the request; events pass through `map` inside core's one iterator.
   * The stream is one span, `ralio.chat.stream`, from the request to the final event.
   */
  constructor(
    open: (map: (message: SseMessage) => ChatStreamEvent) => Promise<SseStream<ChatStreamEvent>>,
    telemetry: Telemetry = noTelemetry,
  ) {
    this.#telemetry = telemetry
    this.#open = open
  }

  /** The conversation id, once the `conversation` event arrived. */
  get conversationId(): string | undefined {
    return this.#conversationId
  }

  /** The events as they arrive; a stream can be iterated once. */
  [Symbol.asyncIterator](): AsyncIterator<ChatStreamEvent> {
    return this.#read(
      (stream) => stream[Symbol.asyncIterator](),
      (event) => [event],
    )
  }

  /**
   * The same events as arrays of those already received, in order: one `await` per network
   * chunk instead of per event, for a consumer that keeps up with a fast stream (a long
   * reply is thousands of `text_delta` events). Same rules as iterating the stream: the
   * `reply` event comes last, an `error` event throws after the events before it, `break`
   * closes the connection. Read a stream one way only, once.
   *
   * ```ts
   * for await (const events of client.chat.stream({ message }).batches()) {
   *   for (const event of events) if (event.event === 'text_delta') process.stdout.write(event.text)
   * }
   * ```
   */
  batches(): AsyncIterableIterator<ChatStreamEvent[]> {
    return this.#read(
      (stream) => stream.batches(),
      (events) => events,
    )
  }

  #read<R>(
    start: (stream: SseStream<ChatStreamEvent>) => AsyncIterator<R>,
    eventsOf: (value: R) => readonly ChatStreamEvent[],
  ): AsyncIterableIterator<R> {
    if (this.#iterated) throw new TypeError('A chat stream can be read only once')
    this.#iterated = true
    const map = (message: SseMessage): ChatStreamEvent => {
      const mapped = toChatStreamEvent(message)
      if (mapped.event === 'conversation') this.#conversationId = mapped.data.conversationId
      return mapped
    }
    let span: SpanScope | undefined
    return lazyAsyncIterator(
      async () => {
        this.#stream ??= this.#telemetry.openSpan('ralio.chat.stream', {}, async (opened) => {
          span = opened
          const stream = await this.#open(map)
          // Reading `response` sends the request now, inside the span, so its attempts are
          // children of it; a failure reaches the caller through the iterator.
          stream.response.catch(() => {})
          return stream
        })
        const iterator = start(await this.#stream)
        return span?.recording ? this.#traced(iterator, span, eventsOf) : iterator
      },
      () => this.abort(),
    )
  }

  /** Counts the events into the span and ends it with the stream: the last event, an error, or a `break`. */
  #traced<R>(
    iterator: AsyncIterator<R>,
    span: SpanScope,
    eventsOf: (value: R) => readonly ChatStreamEvent[],
  ): AsyncIterator<R> {
    let events = 0
    let replied = false
    const end = (error?: unknown) => {
      span.set({
        'ralio.chat.event_count': events,
        'ralio.chat.replied': replied,
        'ralio.conversation_id': this.#conversationId,
      })
      span.end(error)
    }
    return {
      next: async () => {
        try {
          const result = await iterator.next()
          if (result.done) {
            end()
          } else {
            for (const event of eventsOf(result.value)) {
              events++
              if (event.event === 'reply') replied = true
            }
            // The final event: the span ends here even when the caller stops reading now.
            if (replied) end()
          }
          return result
        } catch (error) {
          end(error)
          throw error
        }
      },
      return: async (value?: unknown) => {
        end()
        return (await iterator.return?.(value)) ?? { done: true, value: undefined }
      },
    }
  }

  /** Reads the stream to its end and returns the full reply. */
  async finalReply(): Promise<ChatStreamResult> {
    for await (const event of this) {
      if (event.event === 'reply') return { reply: event.text ?? '', conversationId: this.#conversationId }
    }
    // Unreachable with core's terminal-event check; kept so a change there can't return silently.
    throw new RalioConnectionError({
      message: 'The chat stream ended without a reply.',
      code: 'stream_incomplete',
    })
  }

  /** Closes the connection; a loop over the stream ends with an error. */
  abort(): void {
    void this.#stream?.then(
      (stream) => stream.abort(),
      () => {},
    )
  }
}

function toChatStreamEvent(message: SseMessage): ChatStreamEvent {
  const name = sseEventName(message)
  const raw = message.data
  // The hot path: a long reply is mostly text deltas, so they skip the schema when well formed.
  if (name === 'text_delta' || name === 'reply') {
    const text = plainText(raw)
    if (text !== undefined) return { event: name, name, data: { text }, raw, text }
  }
  const data = parseSseData(raw)
  if (name === 'text_delta' || name === 'reply') {
    const text = (data as { text?: unknown } | null)?.text
    if (typeof text === 'string') return { event: name, name, data: { text }, raw, text }
  }
  // Own names only: an event called `constructor` or `__proto__` is an unknown event, not Object's.
  const schema = Object.hasOwn(chatStreamEventSchemas, name) ? chatStreamEventSchemas[name] : undefined
  if (schema === undefined) return unknownEvent(name, data, raw)
  const parsed = schema.safeParse(data)
  // A known event with an unexpected shape still reaches the caller, as sent.
  if (!parsed.success) return unknownEvent(name, data, raw)
  const known = { event: name, name, data: parsed.data as Record<string, unknown>, raw }
  return (
    typeof known.data.text === 'string' ? { ...known, text: known.data.text } : known
  ) as ChatStreamEvent
}

/**
 * The text of data written `{"text":"…"}` (or `{"text": "…"}`, as Python's encoder spaces
 * it), read without `JSON.parse` when the text holds no quote, backslash or control
 * character — exactly what `JSON.parse(raw).text` would return. Anything else (escapes,
 * other fields, other spacing) is `undefined`, and the caller parses the JSON.
 */
export function plainText(raw: string): string | undefined {
  const start = raw.startsWith('{"text":"') ? 9 : raw.startsWith('{"text": "') ? 10 : 0
  const end = raw.length - 2
  if (start === 0 || end < start || !raw.endsWith('"}')) return undefined
  for (let index = start; index < end; index++) {
    const code = raw.charCodeAt(index)
    // A control character, `"` or a backslash: only JSON.parse knows what the text is.
    if (code < 0x20 || code === 0x22 || code === 0x5c) return undefined
  }
  return raw.slice(start, end)
}

function unknownEvent(name: string, data: unknown, raw: string): ChatStreamEvent {
  const text = (data as { text?: unknown } | null)?.text
  return {
    event: 'unknown',
    name,
    data,
    raw,
    ...(typeof text === 'string' && { text }),
  }
}
