import ky, { isNetworkError } from 'ky'
import { ClientClosedError, ResponseValidationError, UserAbortError } from '../errors/connection-error.js'
import { createApiError, defaultErrorMap, type ErrorMap } from '../errors/error-map.js'
import type { SdkError } from '../errors/sdk-error.js'
import { readSse, type SseEvent, type SseOptions } from '../sse/read-sse.js'
import { lazyAsyncIterator } from '../util/lazy-async-iterator.js'
import { createLogger, type Logger } from '../util/logger.js'
import { redactError, redactText, redactUrl } from '../util/redact.js'
import type { SecretScope } from '../util/secret-scope.js'
import { sleep } from '../util/sleep.js'
import { userAgent } from '../util/user-agent.js'
import { connectionNeverOpened } from './connection-never-opened.js'
import type { ResponseSchema } from './response-schema.js'
import {
  type RetryDecision,
  type RetryPolicyOptions,
  type RetryRequest,
  retryPolicy,
} from './retry-policy.js'

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface TransportOptions {
  /** Origin (and optional path prefix) every relative path is joined to. */
  baseUrl: string
  /** The calling package, e.g. `@x/ralio/0.1.0`; core appends its own version and the runtime. */
  userAgent: string
  /** Sent on every request. */
  headers?: Record<string, string>
  /** Per attempt, covering the response headers and a JSON body. Default 60 000. */
  timeoutMs?: number
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number
  /** Read at call time, so a test or a proxy can swap `globalThis.fetch` later. */
  fetch?: typeof globalThis.fetch
  logger?: Logger
  /** The error family to throw; default: core's generic classes. */
  errors?: ErrorMap
  auth?: AuthHook
  /** Header that carries `RequestOptions.idempotencyKey`. Default `Idempotency-Key`. */
  idempotencyHeader?: string
  retry?: Omit<RetryPolicyOptions, 'maxRetries'>
  /** Most challenge re-sends one request may make, whatever the reasons. Default 3. */
  maxChallenges?: number
  /**
   * The secrets these requests carry. Only held here: the transport (and so any request in
   * flight) keeps the scope alive, so the redactor scrubs them from every error it raises.
   */
  secrets?: SecretScope
}

export interface AttemptContext {
  readonly method: HttpMethod
  /** Absolute, including the query. */
  readonly url: URL
  /** 0-based; counts retries and challenge re-sends. */
  readonly attempt: number
  /** The headers about to be sent; `authorize` sets its own here. */
  readonly headers: Headers
  readonly signal: AbortSignal
}

export interface AuthHook {
  /**
   * Called before every attempt, retries and re-sends included, so each can be signed
   * afresh (a DPoP proof needs a new `jti` every time).
   */
  authorize(context: AttemptContext): Promise<void> | void
  /**
   * Called with every response, before its body is read. Return a reason (`'nonce'`,
   * `'refresh'`…) to send the same request once more; each distinct reason is honoured
   * once per request, so a server repeating its challenge cannot make the client loop.
   */
  challenge?(response: Response, context: AttemptContext): Promise<string | undefined> | string | undefined
}

export interface RequestOptions<T> {
  method: HttpMethod
  /** Joined to `baseUrl`; an absolute URL is used as is. */
  path: string
  query?: Record<string, string | number | boolean | undefined | null>
  /** JSON body. */
  json?: unknown
  /** `application/x-www-form-urlencoded` body; undefined values are left out. */
  form?: Record<string, string | undefined>
  headers?: Record<string, string | undefined>
  /** Sent on every attempt; makes a POST safe to retry. */
  idempotencyKey?: string
  /** Validates the parsed 2xx body. */
  schema?: ResponseSchema<T>
  signal?: AbortSignal
  timeoutMs?: number
  maxRetries?: number
  /**
   * `'auto'` (default): the retry policy decides from the method and idempotency key.
   * `'never'`: exactly one attempt (challenge re-sends aside).
   * `'idempotent'`: the request has no side effects (a simulation, a search sent as POST),
   * so it is retried like a GET.
   */
  retry?: 'auto' | 'never' | 'idempotent'
}

export type StreamRequestOptions<T = SseEvent> = Omit<RequestOptions<never>, 'schema'> &
  SseOptions & {
    /** Maps each event to what the stream yields (validation, renaming) in the same iterator. */
    map?: ((event: SseEvent) => T) | undefined
  }

/** A server-sent event stream. Iterate it once; `break` or `abort()` closes the connection. */
export interface SseStream<T = SseEvent> extends AsyncIterable<T> {
  /** The response, once its headers arrived (starts the request if iteration hasn't). */
  readonly response: Promise<Response>
  abort(): void
}

export interface Transport {
  request<T = unknown>(options: RequestOptions<T>): Promise<T>
  requestWithResponse<T = unknown>(options: RequestOptions<T>): Promise<{ data: T; response: Response }>
  /**
   * Opens an SSE stream. Getting the response is retried like any request; once it
   * arrives nothing is retried, so an event is never delivered twice.
   */
  stream<T = SseEvent>(options: StreamRequestOptions<T>): SseStream<T>
  /** Aborts requests in flight; later calls throw ClientClosedError. */
  close(): void
  readonly closed: boolean
  [Symbol.asyncDispose](): Promise<void>
}

export function createTransport(options: TransportOptions): Transport {
  return new HttpTransport(options)
}

interface Opened {
  response: Response
  /** Aborts this request (releases the connection of a stream). */
  abort: () => void
  signal: AbortSignal
  requestLabel: string
}

const TIMED_OUT = Symbol('timed out')

class HttpTransport implements Transport {
  readonly #options: TransportOptions
  readonly #errors: ErrorMap
  readonly #logger: Logger
  readonly #userAgent: string
  readonly #closing = new AbortController()
  readonly #baseUrl: string

  constructor(options: TransportOptions) {
    this.#options = options
    this.#errors = options.errors ?? defaultErrorMap
    this.#logger = options.logger ?? createLogger(undefined, 'x')
    this.#userAgent = userAgent(options.userAgent)
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
  }

  get closed(): boolean {
    return this.#closing.signal.aborted
  }

  async request<T>(options: RequestOptions<T>): Promise<T> {
    return (await this.requestWithResponse(options)).data
  }

  async requestWithResponse<T>(options: RequestOptions<T>): Promise<{ data: T; response: Response }> {
    const { response, text } = await this.#send(options, 'json')
    return { data: this.#parse(options, text, response), response }
  }

  stream<T = SseEvent>(options: StreamRequestOptions<T>): SseStream<T> {
    // The stream's own controller: `abort()` before the first read sends nothing, and an abort
    // mid-stream surfaces as UserAbortError like the caller's signal, not as a cut connection.
    const controller = new AbortController()
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal
    let opened: Promise<Opened> | undefined
    const open = () => {
      opened ??= this.#send({ ...options, signal }, 'stream').then(({ opened }) => opened)
      return opened
    }
    const errors = this.#errors
    const closing = this.#closing.signal
    return {
      get response() {
        return open().then((result) => result.response)
      },
      abort() {
        controller.abort()
      },
      [Symbol.asyncIterator]: () =>
        lazyAsyncIterator(
          () =>
            open().then(({ response, abort, requestLabel }) =>
              readSse(response, {
                errors,
                signal,
                closing,
                terminalEvents: options.terminalEvents,
                errorEvent: options.errorEvent,
                idleTimeoutMs: options.idleTimeoutMs,
                requestLabel,
                onClose: abort,
                map: options.map,
              }),
            ),
          // Leaving before the response arrived: abort the request rather than read it.
          () => controller.abort(),
        ),
    }
  }

  close(): void {
    if (!this.closed) this.#closing.abort(new ClientClosedError())
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }

  #url(options: RequestOptions<unknown>): URL {
    const url = /^https?:\/\//i.test(options.path)
      ? new URL(options.path)
      : new URL(`${this.#baseUrl}/${options.path.replace(/^\/+/, '')}`)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value))
    }
    return url
  }

  #headers(options: RequestOptions<unknown>, mode: 'json' | 'stream'): Headers {
    const headers = new Headers(this.#options.headers)
    headers.set('user-agent', this.#userAgent)
    headers.set('accept', mode === 'stream' ? 'text/event-stream' : 'application/json')
    if (options.json !== undefined) headers.set('content-type', 'application/json')
    if (options.form !== undefined) headers.set('content-type', 'application/x-www-form-urlencoded')
    if (options.idempotencyKey !== undefined) {
      headers.set(this.#options.idempotencyHeader ?? 'Idempotency-Key', options.idempotencyKey)
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) headers.set(name, value)
    }
    return headers
  }

  #body(options: RequestOptions<unknown>): string | undefined {
    if (options.json !== undefined) return JSON.stringify(options.json)
    if (options.form !== undefined) {
      const form = new URLSearchParams()
      for (const [key, value] of Object.entries(options.form)) if (value !== undefined) form.set(key, value)
      return form.toString()
    }
    return undefined
  }

  /**
   * Sends until a 2xx arrives or the policy gives up. For 'json' the body is read inside
   * the attempt (so the timeout covers it); for 'stream' the open response is returned.
   */
  async #send(
    options: RequestOptions<unknown>,
    mode: 'json' | 'stream',
  ): Promise<{ response: Response; text: string; opened: Opened }> {
    if (this.closed) throw new ClientClosedError()
    const method = options.method
    const url = this.#url(options)
    const requestLabel = `${method} ${redactUrl(url)}`
    const body = this.#body(options)
    const policy = retryPolicy({
      ...this.#options.retry,
      maxRetries: options.retry === 'never' ? 0 : (options.maxRetries ?? this.#options.maxRetries ?? 2),
    })
    const retryRequest: RetryRequest = {
      method,
      hasIdempotencyKey: options.idempotencyKey !== undefined,
      idempotent: options.retry === 'idempotent',
      retries: 0,
    }
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 60_000
    const maxChallenges = this.#options.maxChallenges ?? 3
    const challenges = new Set<string>()
    const callerSignal = options.signal
    const fetchImplementation = this.#options.fetch

    for (let attempt = 0; ; attempt++) {
      this.#throwIfStopped(callerSignal)
      const attemptController = new AbortController()
      const signal = AbortSignal.any(
        [attemptController.signal, this.#closing.signal, callerSignal].filter((s): s is AbortSignal => !!s),
      )
      const headers = this.#headers(options, mode)
      const context: AttemptContext = { method, url, attempt, headers, signal }
      await this.#options.auth?.authorize(context)

      const timer = setTimeout(() => attemptController.abort(TIMED_OUT), timeoutMs)
      const started = Date.now()
      let response: Response
      try {
        this.#logger.debug(`→ ${requestLabel}`, { attempt })
        // Retries, timeouts and status handling are the transport's own; ky makes one attempt.
        response = await ky(url, {
          method,
          headers,
          body,
          signal,
          timeout: false,
          retry: 0,
          throwHttpErrors: false,
          // Looked up per call so a replaced globalThis.fetch is honoured.
          fetch: (input, init) => (fetchImplementation ?? globalThis.fetch)(input, init),
        })
      } catch (error) {
        clearTimeout(timer)
        const failure = this.#noResponseError(
          error,
          callerSignal,
          attemptController.signal,
          requestLabel,
          timeoutMs,
        )
        const decision = policy.afterNoResponse(retryRequest, !connectionNeverOpened(error))
        await this.#retryOrThrow(decision, failure, retryRequest, requestLabel, callerSignal)
        continue
      }
      this.#logger.debug(`← ${response.status} ${requestLabel}`, { ms: Date.now() - started })

      let reason: string | undefined
      try {
        reason = await this.#options.auth?.challenge?.(response, context)
      } catch (error) {
        // The auth layer gave up (e.g. a refresh failed): release the attempt before rethrowing.
        clearTimeout(timer)
        void response.body?.cancel().catch(() => {})
        throw error
      }
      if (reason !== undefined && !challenges.has(reason) && challenges.size < maxChallenges) {
        challenges.add(reason)
        clearTimeout(timer)
        // Not awaited: cancelling a body that was tee'd (a fetch wrapper that cloned the
        // response to log or cache it) only settles once every branch is cancelled.
        void response.body?.cancel().catch(() => {})
        this.#logger.debug(`re-sending ${requestLabel} after a ${reason} challenge`)
        continue
      }

      if (response.ok && mode === 'stream') {
        // From here the stream's idle timeout takes over from the attempt timeout.
        clearTimeout(timer)
        const opened = { response, abort: () => attemptController.abort(), signal, requestLabel }
        return { response, text: '', opened }
      }

      let text: string
      try {
        text = method === 'HEAD' ? '' : await response.text()
      } catch (error) {
        const failure = this.#noResponseError(
          error,
          callerSignal,
          attemptController.signal,
          requestLabel,
          timeoutMs,
        )
        const decision = response.ok
          ? policy.afterNoResponse(retryRequest, true)
          : policy.afterResponse(retryRequest, response.status, response.headers)
        await this.#retryOrThrow(decision, failure, retryRequest, requestLabel, callerSignal)
        continue
      } finally {
        clearTimeout(timer)
      }
      const opened = { response, abort: () => attemptController.abort(), signal, requestLabel }
      if (response.ok) return { response, text, opened }

      const decision = policy.afterResponse(retryRequest, response.status, response.headers)
      const failure = createApiError(this.#errors, {
        status: response.status,
        headers: response.headers,
        text,
        retryAfterMs: decision.retry ? undefined : decision.retryAfterMs,
        requestLabel,
      })
      await this.#retryOrThrow(decision, failure, retryRequest, requestLabel, callerSignal, response.status)
    }
  }

  async #retryOrThrow(
    decision: RetryDecision,
    failure: SdkError,
    request: RetryRequest,
    requestLabel: string,
    callerSignal: AbortSignal | undefined,
    status?: number,
  ): Promise<void> {
    if (!decision.retry || failure instanceof UserAbortError || failure instanceof ClientClosedError)
      throw failure
    request.retries++
    this.#logger.info(`retrying ${requestLabel} in ${decision.delayMs} ms`, {
      retry: request.retries,
      after: status ?? failure.code,
    })
    const signal = callerSignal ? AbortSignal.any([callerSignal, this.#closing.signal]) : this.#closing.signal
    try {
      await sleep(decision.delayMs, signal)
    } catch {
      this.#throwIfStopped(callerSignal)
    }
  }

  #throwIfStopped(callerSignal: AbortSignal | undefined): void {
    if (callerSignal?.aborted) throw new UserAbortError({ cause: callerSignal.reason })
    if (this.closed) throw new ClientClosedError()
  }

  #noResponseError(
    error: unknown,
    callerSignal: AbortSignal | undefined,
    attemptSignal: AbortSignal,
    requestLabel: string,
    timeoutMs: number,
  ): SdkError {
    if (callerSignal?.aborted) return new UserAbortError({ cause: callerSignal.reason })
    if (this.closed) return new ClientClosedError()
    if (attemptSignal.aborted && attemptSignal.reason === TIMED_OUT) {
      return new this.#errors.timeout({
        message: `${requestLabel} timed out after ${timeoutMs} ms.`,
        code: 'timeout',
      })
    }
    // ky wraps fetch's error in a NetworkError that names the unredacted URL and holds the
    // Request (credentials included); only the scrubbed fetch error is kept as the cause.
    const fetchError = isNetworkError(error) ? error.cause : error
    const refused = connectionNeverOpened(fetchError)
    return new this.#errors.connection({
      message: `${requestLabel} failed: ${refused ? 'the connection was refused' : 'the connection failed'} (${redactText(describeCause(fetchError))}).`,
      code: refused ? 'connection_refused' : 'connection_error',
      cause: redactError(fetchError),
    })
  }

  #parse<T>(options: RequestOptions<T>, text: string, response: Response): T {
    let data: unknown
    try {
      data = text === '' ? undefined : JSON.parse(text)
    } catch {
      throw this.#invalid(
        `Expected JSON from ${options.method} ${options.path}, got ${response.headers.get('content-type') ?? 'no content type'}.`,
        [],
      )
    }
    if (!options.schema) return data as T
    const parsed = options.schema.safeParse(data)
    if (parsed.success) return parsed.data
    throw this.#invalid(
      `The response to ${options.method} ${options.path} does not have the expected shape.`,
      parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
    )
  }

  #invalid(message: string, issues: { path: readonly PropertyKey[]; message: string }[]): SdkError {
    const ErrorClass = this.#errors.invalidResponse ?? ResponseValidationError
    return new ErrorClass(message, issues)
  }
}

function describeCause(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current && depth < 4; depth++) {
    const record = current as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof record.code === 'string') parts.push(record.code)
    else if (typeof record.message === 'string' && record.message) parts.push(record.message)
    current = record.cause
  }
  return [...new Set(parts)].join(': ') || 'unknown error'
}
