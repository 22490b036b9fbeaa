import ky, { isNetworkError, type Options as KyOptions } from 'ky'
import { ClientClosedError, ResponseValidationError, UserAbortError } from '../errors/connection-error.js'
import { ErrorCode } from '../errors/error-code.js'
import { createApiError, defaultErrorMap, type ErrorMap } from '../errors/error-map.js'
import { SdkError } from '../errors/sdk-error.js'
import { readSse, type SseEvent, type SseMessage, type SseOptions } from '../sse/read-sse.js'
import { noTelemetry, type Telemetry } from '../telemetry/create-telemetry.js'
import { lazyAsyncIterator } from '../util/lazy-async-iterator.js'
import { createLogger, type Logger, logs } from '../util/logger.js'
import { redactError, redactHeaders, redactText, redactUrl } from '../util/redact.js'
import type { SecretScope } from '../util/secret-scope.js'
import { sleep } from '../util/sleep.js'
import { userAgent } from '../util/user-agent.js'
import { requestIdOf } from './api-promise.js'
import { connectionNeverOpened, hostNotFound } from './connection-never-opened.js'
import { Exchange, TIMED_OUT } from './exchange.js'
import { headerValueProblem } from './header-value.js'
import { BodyTooLarge, DEFAULT_MAX_RESPONSE_BYTES, readLimitedBody } from './read-limited-body.js'
import type { ResponseSchema } from './response-schema.js'
import {
  type RetryDecision,
  type RetryPolicy,
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
   * Largest response body read, in bytes; a larger one fails with the family's connection
   * error, code `response_too_large`, and its connection is closed. Default 10 MiB: well
   * above any JSON either API returns, yet small enough that a hostile or broken server
   * cannot make the client hold hundreds of megabytes. Streams are bounded per event instead
   * (`maxEventLength`).
   */
  maxResponseBytes?: number
  /**
   * The secrets these requests carry. Only held here: the transport (and so any request in
   * flight) keeps the scope alive, so the redactor scrubs them from every error it raises.
   */
  secrets?: SecretScope
  /** Spans for each attempt (`createTelemetry`); default none. */
  telemetry?: Telemetry
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
   * Called with every response: a 2xx before its body is read, any other status after
   * its body was read into `error`, the family's API error for it. For a non-2xx response,
   * return a reason (`'nonce'`, `'refresh'`…) to send the same request once more; each
   * distinct reason is honoured once per request, so a server repeating its challenge cannot
   * make the client loop. A reason returned for a 2xx is ignored.
   */
  challenge?(
    response: Response,
    context: AttemptContext,
    error?: SdkError,
  ): Promise<string | undefined> | string | undefined
}

/** A request body, or a function building it afresh for every attempt (a one-time assertion). */
export type BodySource<T> = T | (() => T | Promise<T>)

export type FormBody = Record<string, string | undefined>

export interface RequestOptions<T> {
  method: HttpMethod
  /** Joined to `baseUrl`; an absolute URL is used as is. */
  path: string
  query?: Record<string, string | number | boolean | undefined | null>
  /** JSON body, or a function returning it, called for every attempt (retries and re-sends). */
  json?: BodySource<unknown>
  /**
   * `application/x-www-form-urlencoded` body, or a function returning it, called for every
   * attempt; undefined values are left out.
   */
  form?: BodySource<FormBody>
  /** Printable ASCII values of at most 8 192 characters; anything else fails before sending. */
  headers?: Record<string, string | undefined>
  /** Sent on every attempt; makes a POST safe to retry. Same rules as a header value. */
  idempotencyKey?: string
  /** Overrides the transport's `maxResponseBytes` for this request. */
  maxResponseBytes?: number
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
    /**
     * Maps each event, as the parser read it, to what the stream yields (validation,
     * renaming) in the same iterator; `parseSseData` reads its data as `SseEvent` would.
     */
    map?: ((message: SseMessage) => T) | undefined
  }

/** A server-sent event stream. Iterate it once; `break` or `abort()` closes the connection. */
export interface SseStream<T = SseEvent> extends AsyncIterable<T> {
  /** The response, once its headers arrived (starts the request if iteration hasn't). */
  readonly response: Promise<Response>
  /**
   * The events as arrays of those already received (see `SseIterator.batches`): for a
   * consumer of fast streams, one `await` per network chunk instead of per event. Use
   * instead of iterating the stream itself, not as well.
   */
  batches(): AsyncIterableIterator<T[]>
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

/**
 * How a 2xx response becomes what a call returns, as the request's plan carries it: the
 * attempt calls `read` and knows nothing of JSON or streams.
 */
interface SuccessReader<Read, Result> {
  /** The `Accept` header the request sends. */
  readonly accept: string
  /**
   * Within the attempt (its timeout and span): reads the 2xx response, or says how the
   * attempt failed while reading it.
   */
  read(response: Response, exchange: Exchange, plan: Plan<Read>): Promise<Outcome<Read>>
  /** After the last attempt, outside its span: the call's result; a failure here is never retried. */
  result(read: Read, response: Response): Result
}

/** One request, resolved once before its first attempt. */
interface Plan<Read = unknown, Result = unknown> {
  readonly method: HttpMethod
  readonly url: URL
  /** `GET https://…/path`, secrets in the query redacted: for messages and logs. */
  readonly label: string
  /** Every header but the auth hook's, names lower-cased; a fresh `Headers` is made per attempt. */
  readonly headers: Readonly<Record<string, string>>
  /** The body of the next attempt. */
  readonly body: () => string | undefined | Promise<string | undefined>
  readonly signal: AbortSignal | undefined
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly retry: RetryRequest
  /** How a 2xx response is read. */
  readonly reader: SuccessReader<Read, Result>
}

interface Success<Read> {
  kind: 'success'
  response: Response
  /** What the plan's reader read. */
  read: Read
}

/** An attempt that came to nothing usable. */
type Failure =
  /** No response, or a 2xx whose body broke off. `sent` false: provably never left this machine. */
  | { kind: 'no-response'; error: SdkError; sent: boolean }
  /** A non-2xx response; `challenge` is the auth hook's reason to re-send it, if it gave one. */
  | { kind: 'refused'; status: number; headers: Headers; error: SdkError; challenge: string | undefined }
  /** Never retried: the caller aborted, the client closed, a redirect, a body over the limit. */
  | { kind: 'final'; error: SdkError }

/** What one attempt came to. The loop in `#send` alone decides what follows. */
type Outcome<Read> = Success<Read> | Failure

/** What a JSON request's attempt reads: the body's text. */
type BodyText = string

/** A stream's open response: its body is left to the SSE reader. */
interface OpenStream {
  response: Response
  /** Closes the connection (ends the stream). */
  abort: () => void
  label: string
}

/** The runtime's own fetch, as it was when this module loaded: the one known to honour `init`. */
const platformFetch = globalThis.fetch

/** An RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

class HttpTransport implements Transport {
  readonly #auth: AuthHook | undefined
  readonly #errors: ErrorMap
  readonly #logger: Logger
  readonly #closing = new AbortController()
  /** Every attempt's controller until the attempt (or its stream) ends: what `close()` aborts. */
  readonly #attempts = new Set<AbortController>()
  readonly #baseUrl: string
  readonly #baseHeaders: Record<string, string> = {}
  /** The `fetch` option; without one, `globalThis.fetch` is looked up per call, so a replaced one is honoured. */
  readonly #injectedFetch: typeof globalThis.fetch | undefined
  readonly #policy: RetryPolicy
  readonly #timeoutMs: number
  readonly #maxChallenges: number
  readonly #maxResponseBytes: number
  readonly #idempotencyHeader: string
  readonly #telemetry: Telemetry
  /** Held, never read: while this transport lives, the redactor keeps scrubbing these secrets. */
  readonly secrets: SecretScope | undefined

  constructor(options: TransportOptions) {
    this.secrets = options.secrets
    this.#auth = options.auth
    this.#errors = options.errors ?? defaultErrorMap
    this.#logger = options.logger ?? createLogger(undefined, 'x')
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#policy = retryPolicy({ ...options.retry, maxRetries: options.maxRetries ?? 2 })
    this.#timeoutMs = options.timeoutMs ?? 60_000
    this.#maxChallenges = options.maxChallenges ?? 3
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    this.#idempotencyHeader = options.idempotencyHeader ?? 'Idempotency-Key'
    this.#telemetry = options.telemetry ?? noTelemetry
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      this.#setHeader(this.#baseHeaders, name, value)
    }
    this.#baseHeaders['user-agent'] = userAgent(options.userAgent)
    this.#injectedFetch = options.fetch
  }

  get closed(): boolean {
    return this.#closing.signal.aborted
  }

  async request<T>(options: RequestOptions<T>): Promise<T> {
    return (await this.#send(options, this.#jsonReader(options))).data
  }

  requestWithResponse<T>(options: RequestOptions<T>): Promise<{ data: T; response: Response }> {
    return this.#send(options, this.#jsonReader(options))
  }

  stream<T = SseEvent>(options: StreamRequestOptions<T>): SseStream<T> {
    // The stream's own controller: `abort()` before the first read sends nothing, and an abort
    // mid-stream surfaces as UserAbortError like the caller's signal, not as a cut connection.
    const controller = new AbortController()
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal
    let opened: Promise<OpenStream> | undefined
    const open = () => {
      opened ??= this.#send({ ...options, signal }, streamReader)
      return opened
    }
    const errors = this.#errors
    const closing = this.#closing.signal
    const read = () =>
      open().then(({ response, abort, label }) =>
        readSse(response, {
          errors,
          signal,
          closing,
          terminalEvents: options.terminalEvents,
          errorEvent: options.errorEvent,
          idleTimeoutMs: options.idleTimeoutMs,
          maxEventLength: options.maxEventLength,
          maxDurationMs: options.maxDurationMs,
          requestLabel: label,
          onClose: abort,
          map: options.map,
        }),
      )
    // Leaving before the response arrived: abort the request rather than read it.
    const abortBeforeStart = () => controller.abort()
    return {
      get response() {
        return open().then((result) => result.response)
      },
      abort() {
        controller.abort()
      },
      [Symbol.asyncIterator]: () => lazyAsyncIterator(read, abortBeforeStart),
      batches: () => lazyAsyncIterator(() => read().then((events) => events.batches()), abortBeforeStart),
    }
  }

  close(): void {
    if (this.closed) return
    this.#closing.abort(new ClientClosedError())
    for (const controller of this.#attempts) controller.abort(this.#closing.signal.reason)
    this.#attempts.clear()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }

  /**
   * The loop: attempts until one succeeds, answering challenges and retrying as the policy
   * says. It only decides; everything about one exchange is in `#attempt`.
   */
  async #send<Read, Result>(
    options: RequestOptions<unknown>,
    reader: SuccessReader<Read, Result>,
  ): Promise<Result> {
    const plan = this.#plan(options, reader)
    const challenges = new Set<string>()
    for (let attempt = 0; ; attempt++) {
      this.#throwIfStopped(plan.signal)
      const outcome = await this.#telemetry.httpAttempt(plan, attempt, () => this.#attempt(plan, attempt))
      switch (outcome.kind) {
        case 'success':
          return plan.reader.result(outcome.read, outcome.response)
        case 'final':
          throw outcome.error
        case 'refused': {
          const reason = outcome.challenge
          if (reason !== undefined && !challenges.has(reason) && challenges.size < this.#maxChallenges) {
            challenges.add(reason)
            this.#logger.debug(`re-sending ${plan.label} after a ${reason} challenge`)
            continue
          }
          const decision = this.#policy.afterResponse(plan.retry, outcome.status, outcome.headers)
          await this.#retryOrThrow(decision, outcome.error, plan, outcome.status)
          break
        }
        case 'no-response':
          await this.#retryOrThrow(
            this.#policy.afterNoResponse(plan.retry, outcome.sent),
            outcome.error,
            plan,
          )
      }
    }
  }

  /** Everything about a request that does not change between attempts, checked before any is made. */
  #plan<Read, Result>(
    options: RequestOptions<unknown>,
    reader: SuccessReader<Read, Result>,
  ): Plan<Read, Result> {
    if (this.closed) throw new ClientClosedError()
    const method = options.method
    const url = this.#url(options)
    const headers = { ...this.#baseHeaders }
    headers.accept = reader.accept
    if (options.json !== undefined) headers['content-type'] = 'application/json'
    if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
    if (options.idempotencyKey !== undefined) {
      this.#setHeader(headers, this.#idempotencyHeader, options.idempotencyKey, 'idempotencyKey')
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) this.#setHeader(headers, name, value)
    }
    let label: string | undefined
    return {
      method,
      url,
      // Made when a message or log line needs it: redacting the URL is work a request that
      // succeeds quietly never uses.
      get label() {
        label ??= `${method} ${redactUrl(url)}`
        return label
      },
      headers,
      body: bodySource(options),
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.#timeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? this.#maxResponseBytes,
      retry: {
        method,
        hasIdempotencyKey: options.idempotencyKey !== undefined,
        idempotent: options.retry === 'idempotent',
        retries: 0,
        maxRetries: options.retry === 'never' ? 0 : options.maxRetries,
      },
      reader,
    }
  }

  /**
   * One exchange: sign, send, refuse a redirect, then read the response — a 2xx as the plan's
   * reader says, anything else into the family's API error — all inside the attempt's timeout.
   */
  async #attempt<Read>(plan: Plan<Read>, attempt: number): Promise<Outcome<Read>> {
    const exchange = new Exchange(this.#attempts, plan.signal)
    try {
      // Without an auth hook there is nothing to wait for: each `await` of an async step is a
      // promise and a turn of the microtask queue, which on loopback is a measurable share of a call.
      const { headers, context } = this.#auth
        ? await this.#sign(plan, attempt, exchange.signal)
        : { headers: plan.headers, context: undefined }
      const sent = await this.#fetchOnce(plan, attempt, headers, exchange)
      if (sent.kind !== 'response') return sent
      const { response } = sent
      const redirect = this.#redirectError(response, plan)
      if (redirect) {
        void response.body?.cancel().catch(() => {})
        return { kind: 'final', error: redirect }
      }
      if (!response.ok) return await this.#refused(response, plan, exchange, context)
      if (context) await this.#acceptChallenge(response, context)
      return await plan.reader.read(response, exchange, plan)
    } finally {
      exchange.release()
    }
  }

  /**
   * The attempt's headers, signed by the auth hook (each attempt afresh). Without a hook
   * nobody reads a Headers object: ky gets the plan's plain record and makes the only copy.
   */
  async #sign(
    plan: Plan,
    attempt: number,
    signal: AbortSignal,
  ): Promise<{ headers: Headers; context: AttemptContext }> {
    const headers = new Headers(plan.headers)
    const context: AttemptContext = { method: plan.method, url: plan.url, attempt, headers, signal }
    await this.#auth?.authorize(context)
    return { headers, context }
  }

  /** Sends the request once; the response, or why there is none. The attempt's timeout starts here. */
  async #fetchOnce(
    plan: Plan,
    attempt: number,
    headers: Headers | Readonly<Record<string, string>>,
    exchange: Exchange,
  ): Promise<{ kind: 'response'; response: Response } | Failure> {
    const pending = plan.body()
    const body = typeof pending === 'string' || pending === undefined ? pending : await pending
    exchange.startTimer(plan.timeoutMs)
    const debug = logs(this.#logger, 'debug')
    const started = debug ? Date.now() : 0
    let response: Response
    try {
      if (debug) this.#logger.debug(`→ ${plan.label}`, { attempt })
      // A redirect would re-send the body, the proof and the idempotency key to wherever the
      // server points; it becomes an error instead (see #redirectError).
      const attemptInit: RequestInit = { headers, signal: exchange.signal, redirect: 'manual' }
      // The runtime's own fetch takes these in its `init` (the Fetch standard: they replace the
      // Request's), so ky merges no headers and derives no AbortSignal.any, together about a
      // third of the transport's CPU per call. Any other fetch (injected, or a replaced global)
      // may read only the Request ky hands it, so it gets them on the Request, through ky.
      const fetch = this.#injectedFetch ?? globalThis.fetch
      const runtimeFetch = fetch === platformFetch
      // Retries, timeouts, redirects and status handling are the transport's own; ky makes one
      // attempt. ky merges its options key by key, so only those in use are passed.
      const options: KyOptions = {
        method: plan.method,
        timeout: false,
        retry: 0,
        throwHttpErrors: false,
        fetch: exchange.fetchThrough(fetch, runtimeFetch ? attemptInit : undefined),
      }
      if (body !== undefined) options.body = body
      if (!runtimeFetch) Object.assign(options, attemptInit)
      response = await ky(plan.url, options)
    } catch (error) {
      const failure = this.#noResponseError(error, plan, exchange.signal)
      if (isFinal(failure)) return { kind: 'final', error: failure }
      return { kind: 'no-response', error: failure, sent: !connectionNeverOpened(error) }
    }
    if (debug) this.#logger.debug(`← ${response.status} ${plan.label}`, { ms: Date.now() - started })
    return { kind: 'response', response }
  }

  /** Shows the auth hook a 2xx before its body is read; if the hook throws, the body is released. */
  async #acceptChallenge(response: Response, context: AttemptContext): Promise<void> {
    try {
      await this.#auth?.challenge?.(response, context)
    } catch (error) {
      // The auth layer gave up: release the attempt before rethrowing.
      void response.body?.cancel().catch(() => {})
      throw error
    }
  }

  /** A non-2xx response: its body read into the family's API error, and the auth hook's reason to re-send. */
  async #refused(
    response: Response,
    plan: Plan,
    exchange: Exchange,
    context: AttemptContext | undefined,
  ): Promise<Failure> {
    const { status, headers } = response
    const text = await this.#readBody(response, plan, exchange)
    if (typeof text !== 'string') {
      if (text.kind !== 'no-response') return text
      return { kind: 'refused', status, headers, error: text.error, challenge: undefined }
    }
    const error = createApiError(this.#errors, {
      status,
      headers,
      text,
      retryAfterMs: this.#policy.retryAfterMs(headers),
      requestLabel: plan.label,
    })
    const challenge = context && ((await this.#auth?.challenge?.(response, context, error)) ?? undefined)
    return { kind: 'refused', status, headers, error, challenge }
  }

  /**
   * The body as text within `maxResponseBytes` (none for HEAD). A read that broke off is a
   * `no-response` (the caller decides what that means for its status); one over the limit, or
   * stopped by the caller or `close()`, is final.
   */
  async #readBody(response: Response, plan: Plan, exchange: Exchange): Promise<string | Failure> {
    let text: string | BodyTooLarge
    try {
      text =
        plan.method === 'HEAD'
          ? ''
          : await readLimitedBody(response, plan.maxResponseBytes, () => exchange.abort())
    } catch (error) {
      const failure = this.#noResponseError(error, plan, exchange.signal)
      return isFinal(failure)
        ? { kind: 'final', error: failure }
        : { kind: 'no-response', error: failure, sent: true }
    }
    if (text instanceof BodyTooLarge)
      return { kind: 'final', error: this.#tooLargeError(text, plan, response) }
    return text
  }

  /** Reads a 2xx body as text in the attempt, then parses it (and checks its schema) once the attempts are over. */
  #jsonReader<T>(options: RequestOptions<T>): SuccessReader<BodyText, { data: T; response: Response }> {
    return {
      accept: 'application/json',
      read: async (response, exchange, plan) => {
        const text = await this.#readBody(response, plan, exchange)
        return typeof text === 'string' ? { kind: 'success', response, read: text } : text
      },
      result: (text, response) => ({ data: this.#parse(options, text, response), response }),
    }
  }

  async #retryOrThrow(
    decision: RetryDecision,
    failure: SdkError,
    plan: Plan,
    status?: number,
  ): Promise<void> {
    if (!decision.retry) throw failure
    plan.retry.retries++
    this.#logger.info(`retrying ${plan.label} in ${decision.delayMs} ms`, {
      retry: plan.retry.retries,
      after: status ?? failure.code,
    })
    const signal = plan.signal ? AbortSignal.any([plan.signal, this.#closing.signal]) : this.#closing.signal
    try {
      await sleep(decision.delayMs, signal)
    } catch {
      this.#throwIfStopped(plan.signal)
    }
  }

  #throwIfStopped(callerSignal: AbortSignal | undefined): void {
    if (callerSignal?.aborted) throw new UserAbortError({ cause: callerSignal.reason })
    if (this.closed) throw new ClientClosedError()
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

  /**
   * Sets a header the caller chose, refusing a name or value fetch would reject or a server
   * misread; `option` names where it came from (default `headers['<name>']`, made only for
   * the error: this runs per header per request).
   */
  #setHeader(headers: Record<string, string>, name: string, value: string, option?: string): void {
    if (!HEADER_NAME.test(name)) {
      throw this.#configError(
        `${option ?? `headers['${name}']`}: '${redactText(name)}' is not a valid header name. Nothing was sent.`,
      )
    }
    const problem = headerValueProblem(value)
    if (problem !== undefined) {
      throw this.#configError(`${option ?? `headers['${name}']`} ${problem}. Nothing was sent.`)
    }
    headers[name.toLowerCase()] = value
  }

  #configError(message: string): SdkError {
    return new (this.#errors.config ?? SdkError)(message, { code: 'invalid_argument' })
  }

  /**
   * A 3xx, an opaque redirect (runtimes that hide it answer status 0), or a response an
   * injected fetch reached by following a redirect anyway: the family's API error, naming
   * only the target's origin.
   */
  #redirectError(response: Response, plan: Plan): SdkError | undefined {
    const status = response.status
    const opaque = response.type === 'opaqueredirect' || status === 0
    if (!opaque && !response.redirected && (status < 300 || status > 399)) return undefined
    let message: string
    let target: string | undefined
    if (response.redirected) {
      target = originOf(response.url, plan.url)
      message = `${plan.label} was redirected to ${target} by the fetch implementation, which ignored redirect: 'manual'; the response was discarded, but the request may have reached that origin. Pass a fetch that does not follow redirects.`
    } else {
      const location = opaque ? null : response.headers.get('location')
      target = location === null ? undefined : originOf(location, plan.url)
      message = `${plan.label} answered ${opaque ? 'with a redirect' : status}${target ? ` to ${target}` : ''}. Redirects are never followed, so the request was not re-sent anywhere; check baseUrl (or a proxy in between).`
    }
    const headers = redactHeaders(response.headers)
    if (headers.location !== undefined) headers.location = target ?? '[redacted]'
    const ErrorClass = this.#errors.api[status] ?? this.#errors.api.default
    return new ErrorClass({
      statusCode: status,
      code: 'unexpected_redirect',
      message,
      body: undefined,
      requestId: requestIdOf(response.headers),
      headers,
    })
  }

  #tooLargeError(tooLarge: BodyTooLarge, plan: Plan, response: Response): SdkError {
    const size =
      tooLarge.declared === undefined
        ? `a body larger than maxResponseBytes (${tooLarge.limit} bytes); reading stopped there`
        : `a Content-Length of ${tooLarge.declared} bytes, over maxResponseBytes (${tooLarge.limit}); nothing was read`
    return new this.#errors.connection({
      message: `${plan.label} answered ${response.status} with ${size} and the connection was closed. The request was not re-sent; raise maxResponseBytes if responses this large are expected.`,
      code: 'response_too_large',
    })
  }

  #noResponseError(error: unknown, plan: Plan, attemptSignal: AbortSignal): SdkError {
    if (plan.signal?.aborted) return new UserAbortError({ cause: plan.signal.reason })
    if (this.closed) return new ClientClosedError()
    if (attemptSignal.aborted && attemptSignal.reason === TIMED_OUT) {
      return new this.#errors.timeout({
        message: `${plan.label} timed out after ${plan.timeoutMs} ms.`,
        code: 'timeout',
      })
    }
    // ky wraps fetch's error in a NetworkError that names the unredacted URL and holds the
    // Request (credentials included); only the scrubbed fetch error is kept as the cause.
    const fetchError = isNetworkError(error) ? error.cause : error
    const refused = connectionNeverOpened(fetchError)
    const unresolved = hostNotFound(fetchError)
    const what = unresolved
      ? `could not resolve host ${plan.url.hostname}`
      : refused
        ? 'the connection was refused'
        : 'the connection failed'
    return new this.#errors.connection({
      message: `${plan.label} failed: ${what} (${redactText(describeCause(fetchError))}).`,
      code: unresolved
        ? ErrorCode.hostNotFound
        : refused
          ? ErrorCode.connectionRefused
          : ErrorCode.connectionError,
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

/** Leaves a 2xx body unread for the SSE reader, whose own limits take over once the attempt ends. */
const streamReader: SuccessReader<OpenStream, OpenStream> = {
  accept: 'text/event-stream',
  read: async (response, exchange, plan) => ({
    kind: 'success',
    response,
    read: { response, abort: exchange.keepOpen(), label: plan.label },
  }),
  result: (open) => open,
}

/** The caller stopped or the client closed: never retried. */
function isFinal(error: SdkError): boolean {
  return UserAbortError.isInstance(error) || ClientClosedError.isInstance(error)
}

/** The body of each attempt: serialised once, or built afresh when the caller gave a function. */
function bodySource(options: RequestOptions<unknown>): Plan['body'] {
  const { json, form } = options
  if (json !== undefined) {
    if (typeof json === 'function') return async () => JSON.stringify(await json())
    const text = JSON.stringify(json)
    return () => text
  }
  if (form !== undefined) {
    if (typeof form === 'function') return async () => encodeForm(await form())
    const text = encodeForm(form)
    return () => text
  }
  return () => undefined
}

function encodeForm(fields: FormBody): string {
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) form.set(key, value)
  return form.toString()
}

/** Only the origin of a redirect target: its path and query may carry tokens. */
function originOf(location: string, base: URL): string {
  try {
    const origin = new URL(location, base).origin
    return origin === 'null' ? 'a non-HTTP location' : redactText(origin)
  } catch {
    return 'an unparsable location'
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
