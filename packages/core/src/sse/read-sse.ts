import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { UserAbortError } from '../errors/connection-error.js'
import type { ErrorMap } from '../errors/error-map.js'
import type { SdkError } from '../errors/sdk-error.js'
import { redact, redactError, redactHeaders, redactText } from '../util/redact.js'

export interface SseEvent {
  /** The `event:` field; `message` when the server sent none. */
  event: string
  /** JSON-parsed `data`, or the raw text when it is not JSON. */
  data: unknown
  /** `data` exactly as received (multi-line data joined with `\n`). */
  raw: string
  id?: string
}

export interface SseOptions {
  /** The protocol's last event(s): ending without one is an error, never a silent end. */
  terminalEvents?: readonly string[] | undefined
  /** An event that reports a server-side failure; it becomes the family's API error. */
  errorEvent?: string | undefined
  /** No bytes for this long → the family's timeout error. Default 60 000. */
  idleTimeoutMs?: number | undefined
}

export interface ReadSseOptions extends SseOptions {
  errors: ErrorMap
  /** The caller's signal: its abort surfaces as UserAbortError. */
  signal?: AbortSignal | undefined
  /** For messages, e.g. `POST https://…/stream`. */
  requestLabel?: string | undefined
  /** Called once when reading stops for any reason, to release the connection. */
  onClose?: (() => void) | undefined
}

/**
 * Reads a `text/event-stream` response as events. Comments (keep-alives) are skipped;
 * leaving the loop early (`break`, `return`, an exception) cancels the body and closes the
 * connection through `onClose`.
 */
export async function* readSse(response: Response, options: ReadSseOptions): AsyncGenerator<SseEvent, void> {
  const { errors } = options
  const label = options.requestLabel ?? 'the event stream'
  const terminalEvents = options.terminalEvents ?? []
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000
  if (!response.body) {
    options.onClose?.()
    throw new errors.connection({ message: `${label} returned no body.`, code: 'stream_incomplete' })
  }

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let pending: SseEvent[] = []
  const parser = createParser({ onEvent: (message) => pending.push(toEvent(message)) })

  // One timer re-armed lazily: a chunk only records the time, so a fast stream pays nothing.
  let lastActivity = Date.now()
  let idle = false
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  const armIdleTimer = (delay: number) => {
    idleTimer = setTimeout(() => {
      const quietFor = Date.now() - lastActivity
      if (quietFor < idleTimeoutMs) return armIdleTimer(idleTimeoutMs - quietFor)
      idle = true
      void reader.cancel().catch(() => {})
    }, delay)
  }
  armIdleTimer(idleTimeoutMs)

  let finished = false
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<string>
      try {
        chunk = await reader.read()
      } catch (error) {
        throw interrupted(error)
      }
      if (idle) {
        throw new errors.timeout({
          message: `${label} sent nothing for ${idleTimeoutMs} ms; the stream was closed.`,
          code: 'stream_idle_timeout',
        })
      }
      if (chunk.done) break
      lastActivity = Date.now()
      parser.feed(chunk.value)
      if (pending.length === 0) continue
      const events = pending
      pending = []
      for (const event of events) {
        if (event.event === options.errorEvent) throw streamError(event)
        yield event
        if (terminalEvents.includes(event.event)) {
          finished = true
          return
        }
      }
    }
    // An event the body ended in the middle of (no closing blank line) is dropped, as the
    // SSE spec says: it may be cut short, and half an event must not pass for a whole one.
    if (terminalEvents.length > 0) {
      throw new errors.connection({
        message: `${label} ended before its final event (${terminalEvents.join(' or ')}); the connection was probably cut. The request was not re-sent.`,
        code: 'stream_incomplete',
      })
    }
    finished = true
  } finally {
    clearTimeout(idleTimer)
    if (!finished) void reader.cancel().catch(() => {})
    reader.releaseLock()
    options.onClose?.()
  }

  function interrupted(error: unknown): SdkError {
    if (options.signal?.aborted) return new UserAbortError({ cause: options.signal.reason })
    return new errors.connection({
      message: `${label} was interrupted before its final event. The request was not re-sent.`,
      code: 'stream_interrupted',
      cause: redactError(error),
    })
  }

  function streamError(event: SseEvent): SdkError {
    const data = event.data as { message?: unknown; detail?: unknown; code?: unknown } | undefined
    const message =
      typeof data === 'object' && data !== null
        ? String(data.message ?? data.detail ?? 'The server reported an error in the stream.')
        : String(event.data || 'The server reported an error in the stream.')
    return new errors.api.default({
      statusCode: response.status,
      code:
        typeof data === 'object' && data !== null && typeof data.code === 'string'
          ? data.code
          : 'stream_error',
      message: redactText(message),
      body: redact(event.data),
      requestId: response.headers.get('x-request-id') ?? response.headers.get('request-id') ?? undefined,
      headers: redactHeaders(response.headers),
    })
  }
}

function toEvent(message: EventSourceMessage): SseEvent {
  const event: SseEvent = {
    event: message.event || 'message',
    data: parseData(message.data),
    raw: message.data,
  }
  if (message.id !== undefined) event.id = message.id
  return event
}

function parseData(raw: string): unknown {
  // Only attempt JSON for text that can be JSON; a plain-text delta stays text.
  const first = raw.charCodeAt(0)
  const maybeJson = first === 123 || first === 91 || first === 34 // { [ "
  if (!maybeJson) return raw
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}
