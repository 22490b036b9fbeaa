import { createParser } from 'eventsource-parser'
import { ClientClosedError, UserAbortError } from '../errors/connection-error.js'
import { createApiError, type ErrorMap } from '../errors/error-map.js'
import type { SdkError } from '../errors/sdk-error.js'
import { redactError } from '../util/redact.js'

/** One server-sent event, as read from a stream. */
export interface SseEvent {
  /** The `event:` field; `message` when the server sent none. */
  event: string
  /** JSON-parsed `data`, or the raw text when it is not JSON. */
  data: unknown
  /** `data` exactly as received (multi-line data joined with `\n`). */
  raw: string
  id?: string
}

/**
 * One event as the parser read it, before its data is parsed: what a stream's `map`
 * receives, so a protocol reads its own events' data (`parseSseData` for the general rule)
 * without an intermediate event object per event.
 */
export interface SseMessage {
  /** The `event:` field; absent or empty when the server sent none (the event is then `message`). */
  readonly event?: string | undefined
  /** The `data:` lines as received, joined with `\n`. */
  readonly data: string
  readonly id?: string | undefined
}

export interface SseOptions {
  /** The protocol's last event(s): ending without one is an error, never a silent end. */
  terminalEvents?: readonly string[] | undefined
  /** An event that reports a server-side failure; it becomes the family's API error. */
  errorEvent?: string | undefined
  /** No bytes for this long → the family's timeout error. Default 60 000; `Infinity` for none. */
  idleTimeoutMs?: number | undefined
  /**
   * Longest single line or event, in characters (UTF-16 code units) held before it is
   * complete; beyond it the connection is closed with a `response_too_large` error. Bounds
   * what a server streaming one endless line can make the client hold. Default 1 MiB
   * (1 048 576): far above any event the SDKs' protocols send, small enough to keep memory
   * per stream bounded.
   */
  maxEventLength?: number | undefined
  /** The whole stream may last this long, whatever arrives; then the family's timeout error. Default: no limit. */
  maxDurationMs?: number | undefined
}

/** Default `maxEventLength`. */
export const DEFAULT_MAX_EVENT_LENGTH = 1_048_576

export interface ReadSseOptions<T = SseEvent> extends SseOptions {
  errors: ErrorMap
  /** The caller's signal: its abort surfaces as UserAbortError. */
  signal?: AbortSignal | undefined
  /** The client's own close signal: a stream cut by `close()` surfaces as ClientClosedError. */
  closing?: AbortSignal | undefined
  /** For messages, e.g. `POST https://…/stream`. */
  requestLabel?: string | undefined
  /** Called once when reading stops for any reason, to release the connection. */
  onClose?: (() => void) | undefined
  /**
   * Turns each event into what the caller yields, inside the one iterator: a wrapper
   * generator per layer would cost a promise round-trip per event each. It receives the
   * message before its data is parsed; `parseSseData` reads data the way `SseEvent` does.
   * The error event never reaches it.
   */
  map?: ((message: SseMessage) => T) | undefined
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined })

/** Events one at a time, or, through `batches()`, every event already received at once. */
export interface SseIterator<T> extends AsyncIterableIterator<T> {
  /**
   * The same stream as arrays: each holds every event parsed from the bytes received so far
   * (at least one), in order, so a fast stream costs one `await` per network chunk rather
   * than per event. The rules are those of the events: a terminal event is the last one
   * delivered, the error event throws once the events before it were delivered, and leaving
   * the loop closes the connection. Read the stream one way only.
   */
  batches(): AsyncIterableIterator<T[]>
}

/**
 * Reads a `text/event-stream` response as events. Comments (keep-alives) are skipped;
 * leaving the loop early (`break`, `return`, an exception) cancels the body and closes the
 * connection through `onClose`.
 */
export function readSse<T = SseEvent>(response: Response, options: ReadSseOptions<T>): SseIterator<T> {
  return new SseReader(response, options)
}

/**
 * A hand-written iterator rather than an async generator: events parsed from one chunk are
 * queued and handed out as already-resolved results, so a `for await` pays one promise per
 * event and nothing more.
 */
class SseReader<T> implements SseIterator<T> {
  readonly #response: Response
  readonly #options: ReadSseOptions<T>
  readonly #label: string
  readonly #terminalEvents: readonly string[]
  /**
   * Event names that end the stream: the terminal ones and the error event. An array, not a
   * Set: each event's name is a fresh string, and a Set would hash it every time.
   */
  readonly #special: readonly string[]
  readonly #idleTimeoutMs: number
  readonly #reader: ReadableStreamDefaultReader<string> | undefined
  /** Parsed, not yet handed out: the parser's own message objects, nothing copied. */
  readonly #queue: SseMessage[] = []
  readonly #maxEventLength: number
  readonly #parser: ReturnType<typeof createParser>
  #tooLong = false
  #head = 0
  #closed = false
  #bodyEnded = false
  #reading: Promise<unknown> | undefined
  // One timer re-armed lazily: a chunk only records the time, so a fast stream pays nothing.
  #lastActivity = Date.now()
  #idle = false
  #idleTimer: ReturnType<typeof setTimeout> | undefined
  #expired = false
  #durationTimer: ReturnType<typeof setTimeout> | undefined

  constructor(response: Response, options: ReadSseOptions<T>) {
    this.#response = response
    this.#options = options
    this.#label = options.requestLabel ?? 'the event stream'
    this.#terminalEvents = options.terminalEvents ?? []
    this.#special =
      options.errorEvent === undefined ? this.#terminalEvents : [...this.#terminalEvents, options.errorEvent]
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000
    this.#maxEventLength = options.maxEventLength ?? DEFAULT_MAX_EVENT_LENGTH
    // The parser's own bound covers the unfinished line and the data gathered for the event.
    this.#parser = createParser({
      onEvent: (message) => this.#queue.push(message),
      maxBufferSize: this.#maxEventLength,
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.#tooLong = true
      },
    })
    if (!response.body) return
    this.#reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    if (Number.isFinite(this.#idleTimeoutMs)) this.#armIdleTimer(this.#idleTimeoutMs)
    const maxDurationMs = options.maxDurationMs
    if (maxDurationMs !== undefined && Number.isFinite(maxDurationMs)) {
      this.#durationTimer = setTimeout(() => {
        this.#expired = true
        void this.#reader?.cancel().catch(() => {})
      }, maxDurationMs)
    }
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<T>> {
    // The hot path, one event of a fast stream: queued, ordinary, nothing being read.
    const message = this.#queue[this.#head]
    if (
      message !== undefined &&
      this.#reading === undefined &&
      !this.#special.includes(sseEventName(message))
    ) {
      this.#shift()
      try {
        return Promise.resolve({ done: false, value: this.#deliver(message) })
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return this.#next(this.#takeOne)
  }

  batches(): AsyncIterableIterator<T[]> {
    const batches: AsyncIterableIterator<T[]> = {
      next: () => this.#next(this.#takeBatch),
      return: () => this.return() as Promise<IteratorResult<T[]>>,
      throw: (error?: unknown) => this.throw(error) as Promise<IteratorResult<T[]>>,
      [Symbol.asyncIterator]: () => batches,
    }
    return batches
  }

  /** The next result `take` makes of the queue, reading chunks until it makes one. */
  #next<R>(take: () => IteratorResult<R> | undefined): Promise<IteratorResult<R>> {
    // Calls made while a read is pending wait their turn, as they would with a generator.
    if (this.#reading) return this.#reading.then(() => this.#next(take))
    try {
      const ready = take()
      if (ready) return Promise.resolve(ready)
    } catch (error) {
      return Promise.reject(error)
    }
    const reading = this.#read(take).finally(() => {
      this.#reading = undefined
    })
    this.#reading = reading
    return reading
  }

  return(): Promise<IteratorResult<T>> {
    this.#close()
    return Promise.resolve(DONE)
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#close()
    return Promise.reject(error)
  }

  /** The next queued event as a result, or undefined when a chunk must be read first. */
  readonly #takeOne = (): IteratorResult<T> | undefined => {
    if (!this.#hasQueued()) return this.#closed ? DONE : undefined
    return { done: false, value: this.#take() }
  }

  /** Every queued event up to a terminal one, or to the error event, which the next call throws. */
  readonly #takeBatch = (): IteratorResult<T[]> | undefined => {
    if (!this.#hasQueued()) return this.#closed ? DONE : undefined
    const batch: T[] = [this.#take()]
    while (!this.#closed && this.#head < this.#queue.length) {
      if (sseEventName(this.#queue[this.#head]!) === this.#options.errorEvent) break
      batch.push(this.#take())
    }
    return { done: false, value: batch }
  }

  /** Whether an event is waiting; false once closed. Throws when the response had no body. */
  #hasQueued(): boolean {
    if (this.#closed) return false
    if (!this.#reader) {
      this.#close()
      throw new this.#options.errors.connection({
        message: `${this.#label} returned no body.`,
        code: 'stream_incomplete',
      })
    }
    return this.#head < this.#queue.length
  }

  /** The next queued event (there is one), mapped; the error event throws, a terminal one closes. */
  #take(): T {
    const message = this.#shift()
    const name = sseEventName(message)
    if (name === this.#options.errorEvent) {
      this.#close()
      throw this.#streamError(message)
    }
    // The protocol's last event: nothing after it is read.
    if (this.#terminalEvents.includes(name)) this.#close()
    return this.#deliver(message)
  }

  /** Removes the next queued message (there is one); an emptied queue starts over at 0. */
  #shift(): SseMessage {
    const message = this.#queue[this.#head++]!
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0
      this.#head = 0
    }
    return message
  }

  /** What the caller gets for a message: `map`'s value, or the event with its data parsed. */
  #deliver(message: SseMessage): T {
    const map = this.#options.map
    return map ? map(message) : (toEvent(message) as T)
  }

  async #read<R>(take: () => IteratorResult<R> | undefined): Promise<IteratorResult<R>> {
    const reader = this.#reader!
    for (;;) {
      let chunk: ReadableStreamReadResult<string>
      try {
        chunk = await reader.read()
      } catch (error) {
        if (this.#closed) return DONE
        this.#close()
        throw this.#interrupted(error)
      }
      const stopped = this.#stoppedByLimit()
      if (stopped) {
        this.#close()
        throw stopped
      }
      if (chunk.done) {
        this.#bodyEnded = true
        // A last record without its closing blank line is still dispatched, as the official
        // Ralio SDKs do: servers that end the body right after `data:` are common.
        this.#parser.feed('\n\n')
        const last = take()
        if (last) return last
        this.#close()
        if (this.#terminalEvents.length === 0) return DONE
        throw new this.#options.errors.connection({
          message: `${this.#label} ended before its final event (${this.#terminalEvents.join(' or ')}); the connection was probably cut. The request was not re-sent.`,
          code: 'stream_incomplete',
        })
      }
      this.#lastActivity = Date.now()
      this.#parser.feed(chunk.value)
      if (this.#tooLong) {
        this.#close()
        throw new this.#options.errors.connection({
          message: `${this.#label} sent a line or event longer than ${this.#maxEventLength} characters; the connection was closed. Raise maxEventLength if the server legitimately sends events this large.`,
          code: 'response_too_large',
        })
      }
      const ready = take()
      if (ready) return ready
    }
  }

  /** The idle or whole-stream timer cut the body: the timeout error saying which. */
  #stoppedByLimit(): SdkError | undefined {
    if (this.#idle) {
      return new this.#options.errors.timeout({
        message: `${this.#label} sent nothing for ${this.#idleTimeoutMs} ms; the stream was closed.`,
        code: 'stream_idle_timeout',
      })
    }
    if (this.#expired) {
      return new this.#options.errors.timeout({
        message: `${this.#label} was still open after maxDurationMs (${this.#options.maxDurationMs} ms); the stream was closed.`,
        code: 'stream_max_duration',
      })
    }
    return undefined
  }

  #close(): void {
    if (this.#closed) return
    this.#closed = true
    // Whatever was parsed after the end is never handed out.
    this.#queue.length = 0
    this.#head = 0
    clearTimeout(this.#idleTimer)
    clearTimeout(this.#durationTimer)
    if (this.#reader) {
      if (!this.#bodyEnded) void this.#reader.cancel().catch(() => {})
      this.#reader.releaseLock()
    }
    this.#options.onClose?.()
  }

  #armIdleTimer(delay: number): void {
    this.#idleTimer = setTimeout(() => {
      const quietFor = Date.now() - this.#lastActivity
      if (quietFor < this.#idleTimeoutMs) return this.#armIdleTimer(this.#idleTimeoutMs - quietFor)
      this.#idle = true
      void this.#reader?.cancel().catch(() => {})
    }, delay)
  }

  #interrupted(error: unknown): SdkError {
    const { signal, closing } = this.#options
    if (signal?.aborted) return new UserAbortError({ cause: signal.reason })
    // close() cut the connection: say so rather than blame the network.
    if (closing?.aborted) return new ClientClosedError()
    return new this.#options.errors.connection({
      message: `${this.#label} was interrupted before its final event. The request was not re-sent.`,
      code: 'stream_interrupted',
      cause: redactError(error),
    })
  }

  #streamError(message: SseMessage): SdkError {
    return createApiError(this.#options.errors, {
      status: this.#response.status,
      headers: this.#response.headers,
      text: message.data,
      defaultCode: 'stream_error',
      defaultMessage: 'The server reported an error in the stream.',
    })
  }
}

/** The event's name: its `event:` field, `message` when the server sent none. */
export function sseEventName(message: SseMessage): string {
  return message.event || 'message'
}

function toEvent(message: SseMessage): SseEvent {
  const event: SseEvent = {
    event: sseEventName(message),
    data: parseSseData(message.data),
    raw: message.data,
  }
  if (message.id !== undefined) event.id = message.id
  return event
}

/** An event's data as `SseEvent.data` holds it: JSON-parsed when it is JSON, else the text as sent. */
export function parseSseData(raw: string): unknown {
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
