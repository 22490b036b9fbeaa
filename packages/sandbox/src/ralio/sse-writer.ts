import type { Context } from 'hono'
import { type SSEStreamingApi, streamSSE } from 'hono/streaming'

/** Writes JSON events and comment lines to an open `text/event-stream` response. */
export interface SseWriter {
  event(name: string, data: unknown): Promise<void>
  /** A `: text` comment line, which clients must ignore (used as keep-alive). */
  comment(text: string): Promise<void>
  /** Waits, unless the client has gone. */
  pause(milliseconds: number): Promise<void>
  /** True once the client disconnected; stop producing. */
  readonly closed: boolean
}

export interface StreamServerSentEventsOptions {
  keepAliveIntervalMs: number
  /** Last event when `produce` throws unexpectedly; the stream never ends silently. */
  errorEvent: (error: unknown) => { name: string; data: unknown }
}

/**
 * Streams what `produce` writes as SSE. While the stream is open a keep-alive comment
 * goes out every `keepAliveIntervalMs`, as the real service does during slow tool calls.
 */
export function streamServerSentEvents(
  c: Context,
  produce: (writer: SseWriter) => Promise<void>,
  options: StreamServerSentEventsOptions,
): Response {
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    // Writes are chained so a keep-alive never interleaves with an event.
    let queue = Promise.resolve()
    const enqueue = (text: string) => {
      queue = queue.then(async () => {
        if (!stream.aborted && !stream.closed) await stream.write(text)
      })
      return queue
    }
    const writer: SseWriter = {
      event: (name, data) => enqueue(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`),
      comment: (text) => enqueue(`: ${text.replaceAll(/[\r\n]/g, ' ')}\n\n`),
      pause: async (milliseconds) => {
        if (milliseconds > 0 && !stream.aborted) await stream.sleep(milliseconds)
      },
      get closed() {
        return stream.aborted
      },
    }
    const keepAlive = setInterval(() => void writer.comment('keep-alive'), options.keepAliveIntervalMs)
    try {
      await produce(writer)
    } catch (error) {
      const { name, data } = options.errorEvent(error)
      await writer.event(name, data)
    } finally {
      clearInterval(keepAlive)
      await queue
    }
  })
}
