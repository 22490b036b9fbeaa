import { SdkError } from '../errors/sdk-error.js'
import { redactText, redactUrl } from '../util/redact.js'

/** A span attribute value as OpenTelemetry accepts it; `undefined` attributes are left out. */
export type AttributeValue = string | number | boolean
export type Attributes = Record<string, AttributeValue | undefined>

/**
 * The part of an OpenTelemetry `TracerProvider` the SDKs use: `trace.getTracerProvider()`
 * from `@opentelemetry/api`, or an SDK provider (`NodeTracerProvider`, `BasicTracerProvider`),
 * fits. Declared here so these types need no `@opentelemetry/api` installed.
 */
export interface TracerProvider {
  getTracer(name: string, version?: string): Tracer
}

export interface Tracer {
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>
}

export interface SpanOptions {
  kind?: number
  attributes?: Record<string, AttributeValue>
}

export interface Span {
  setAttributes(attributes: Record<string, AttributeValue>): unknown
  addEvent(name: string, attributes?: Record<string, AttributeValue>): unknown
  setStatus(status: { code: number; message?: string }): unknown
  recordException(exception: { name: string; message?: string }): void
  isRecording(): boolean
  end(): void
}

/** What an SDK client's `tracerProvider` option takes: a provider, or `false` for no spans at all. */
export type TracerProviderOption = TracerProvider | false | undefined

export interface TelemetryOptions {
  /** The instrumentation scope: the SDK package's name and version. */
  name: string
  version: string
  /** Prefix of the SDK's own attributes (`<namespace>.retry_count`). */
  namespace: string
  /** Default: the global provider of `@opentelemetry/api`, when that module can be loaded. */
  tracerProvider?: TracerProviderOption
}

/** A span being recorded, as the SDKs see it. All methods are no-ops when tracing is off. */
export interface SpanScope {
  set(attributes: Attributes): void
  event(name: string, attributes?: Attributes): void
  /** Ends the span; with an error, marks it failed with `error.type` (default: `errorType(error)`). Once only. */
  end(error?: unknown, type?: string): void
}

/** What one transport attempt came to, as far as its span cares. */
export interface AttemptResult {
  readonly kind: string
  readonly response?: Response
  readonly status?: number
  readonly error?: SdkError
}

export interface AttemptTarget {
  readonly method: string
  readonly url: URL
}

export interface Telemetry {
  /** Runs `fn` inside a new active span (what it starts is a child), ending it when `fn` settles. */
  span<T>(name: string, attributes: Attributes, fn: (span: SpanScope) => Promise<T>): Promise<T>
  /**
   * Like `span`, but a span that outlives `fn` (a stream read after the call returned): it is
   * ended by `fn`'s failure or by the caller's `span.end()`, never by `fn` resolving.
   */
  openSpan<T>(name: string, attributes: Attributes, fn: (span: SpanScope) => Promise<T>): Promise<T>
  /** Around one HTTP attempt: a client span with the semantic-convention attributes. */
  httpAttempt<T extends AttemptResult>(
    target: AttemptTarget,
    attempt: number,
    run: () => Promise<T>,
  ): Promise<T>
}

const SPAN_KIND_CLIENT = 2
const STATUS_ERROR = 2

/** The part of `@opentelemetry/api` read here. */
interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): Tracer
    getActiveSpan(): object | undefined
  }
}

let otelApi: Promise<OtelApi | undefined> | undefined

/**
 * `@opentelemetry/api`, if the application has it. The specifier is built at run time so
 * a bundler neither fails on a missing optional module (an edge worker built without it)
 * nor inlines one: in a bundle, pass `tracerProvider` instead. A failed import means off.
 */
function loadOtelApi(): Promise<OtelApi | undefined> {
  const specifier = ['@opentelemetry', 'api'].join('/')
  otelApi ??= import(/* @vite-ignore */ specifier).then(
    (module: OtelApi & { default?: OtelApi }) => (module.trace ? module : module.default),
    () => undefined,
  )
  return otelApi
}

/** No spans: what a transport without telemetry, or a client with `tracerProvider: false`, uses. */
export const noTelemetry: Telemetry = {
  span: (_name, _attributes, fn) => fn(noSpan),
  openSpan: (_name, _attributes, fn) => fn(noSpan),
  httpAttempt: (_target, _attempt, run) => run(),
}

const noSpan: SpanScope = { set() {}, event() {}, end() {} }

/**
 * Spans for one SDK client. The tracer is looked up on first use; with no provider given and
 * no `@opentelemetry/api` to load, every call runs its function and records nothing. Nothing
 * secret is ever put on a span: URLs go through `redactUrl`, messages through `redactText`,
 * and callers pass only ids, decisions and counts.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  if (options.tracerProvider === false) return noTelemetry
  const retryCountKey = `${options.namespace}.retry_count`
  /** Resends counted per enclosing SDK span, for its `retry_count`. */
  const resends = new WeakMap<object, { count: number }>()
  let resolved: { tracer: Tracer | undefined; api: OtelApi | undefined } | undefined
  let resolving: Promise<NonNullable<typeof resolved>> | undefined

  const resolve = () => {
    resolving ??= loadOtelApi().then((api) => {
      const provider = options.tracerProvider || api?.trace
      resolved = { tracer: provider?.getTracer(options.name, options.version), api }
      return resolved
    })
    return resolving
  }

  const start = async <T>(
    name: string,
    spanOptions: SpanOptions,
    fn: (span: SpanScope, raw: Span | undefined) => Promise<T>,
    endOnSuccess: boolean,
  ): Promise<T> => {
    const { tracer } = resolved ?? (await resolve())
    if (tracer === undefined) return fn(noSpan, undefined)
    return tracer.startActiveSpan(name, spanOptions, async (raw: Span) => {
      const counter = { count: 0 }
      resends.set(raw, counter)
      let ended = false
      const scope: SpanScope = {
        set: (attributes) => raw.setAttributes(defined(attributes)),
        event: (eventName, attributes) => raw.addEvent(eventName, attributes && defined(attributes)),
        end: (error, type) => {
          if (ended) return
          ended = true
          if (spanOptions.kind !== SPAN_KIND_CLIENT) {
            raw.setAttributes({ [retryCountKey]: counter.count })
          }
          if (error !== undefined) markFailed(raw, error, type ?? errorType(error))
          raw.end()
        },
      }
      try {
        const result = await fn(scope, raw)
        if (endOnSuccess) scope.end()
        return result
      } catch (error) {
        scope.end(error)
        throw error
      }
    })
  }

  return {
    span: (name, attributes, fn) => start(name, { attributes: defined(attributes) }, fn, true),
    openSpan: (name, attributes, fn) => start(name, { attributes: defined(attributes) }, fn, false),
    async httpAttempt(target, attempt, run) {
      const { tracer, api } = resolved ?? (await resolve())
      if (tracer === undefined) return run()
      // The SDK span this request belongs to (requestAction, a token mint…) counts its resends.
      const parent = api?.trace.getActiveSpan()
      if (attempt > 0 && parent !== undefined) {
        const counter = resends.get(parent)
        if (counter) counter.count++
      }
      const url = target.url
      const attributes = defined({
        'http.request.method': target.method,
        'url.full': redactUrl(url),
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        'http.request.resend_count': attempt > 0 ? attempt : undefined,
      })
      return start(
        target.method,
        { kind: SPAN_KIND_CLIENT, attributes },
        async (span) => {
          const result = await run()
          const status = result.response?.status ?? result.status
          span.set({ 'http.response.status_code': status })
          if (result.kind === 'success') span.end()
          // A refused request's `error.type` is its status code, as the HTTP conventions ask.
          else span.end(result.error, result.kind === 'refused' ? String(status) : undefined)
          return result
        },
        false,
      )
    },
  }
}

/**
 * `error.type` as the semantic conventions describe it: the SDK error's code (`timeout`,
 * `rate_limited`, `action_denied`…) or a status code, else the error's class name. Never
 * the message of an error that is not the SDK's own, which could carry anything.
 */
export function errorType(error: unknown): string {
  if (SdkError.isInstance(error)) {
    const status = (error as { statusCode?: unknown }).statusCode
    return error.code ?? (typeof status === 'number' ? String(status) : error.name)
  }
  if (error instanceof Error) return error.name
  return '_OTHER'
}

function markFailed(span: Span, error: unknown, type: string): void {
  span.setAttributes({ 'error.type': type })
  if (SdkError.isInstance(error)) {
    // The SDK's messages carry no secret by design; they are scrubbed again all the same.
    const message = redactText(error.message)
    span.recordException({ name: error.name, message })
    span.setStatus({ code: STATUS_ERROR, message })
  } else {
    span.setStatus({ code: STATUS_ERROR, message: type })
  }
}

function defined(attributes: Attributes): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {}
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) result[key] = value
  return result
}
