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
  /** The tracer the SDK records its spans with (`name`: the SDK package). */
  getTracer(name: string, version?: string): Tracer
}

/** The part of an OpenTelemetry `Tracer` the SDKs use. */
export interface Tracer {
  /**
   * Starts a span, makes it current while `fn` runs, and returns what `fn` returns.
   * @typeParam F the callback, given the new span
   */
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>
}

/** The options the SDKs start a span with: its kind (client for HTTP attempts) and first attributes. */
export interface SpanOptions {
  kind?: number
  attributes?: Record<string, AttributeValue>
}

/** The part of an OpenTelemetry `Span` the SDKs use. */
export interface Span {
  /** Adds attributes (ids, decisions, counts; never a secret). */
  setAttributes(attributes: Record<string, AttributeValue>): unknown
  /** Records a moment in the span, e.g. an approval's change of status. */
  addEvent(name: string, attributes?: Record<string, AttributeValue>): unknown
  /** Marks the span as failed (code 2) or ok. */
  setStatus(status: { code: number; message?: string }): unknown
  /** Records the error the span ended with (redacted). */
  recordException(exception: { name: string; message?: string }): void
  /** False for a span nobody samples: the SDK then skips building attributes. */
  isRecording(): boolean
  /** Ends the span. */
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
  /** Default: the provider registered globally through `@opentelemetry/api`, if any. */
  tracerProvider?: TracerProviderOption
}

/** A span being recorded, as the SDKs see it. All methods are no-ops when tracing is off. */
export interface SpanScope {
  /** False when nothing is recorded (no tracer, or a sampler dropped the span): skip extra work. */
  readonly recording: boolean
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

/**
 * The registry every copy of `@opentelemetry/api` 1.x keeps on `globalThis`, under a key
 * shared by the copies so that they find each other (an application's copy, a bundled one,
 * ours). Reading it, rather than importing the module, costs nothing when tracing is off,
 * needs no optional module to be resolvable (a bundled edge worker), and never delays a
 * request for a module load. Only its `trace` and `context` entries are read.
 */
const OTEL_REGISTRY = Symbol.for('opentelemetry.js.api.1')
/** The context key under which the API keeps the active span (`trace.getActiveSpan()`). */
const ACTIVE_SPAN = Symbol.for('OpenTelemetry Context Key SPAN')

interface OtelRegistry {
  version?: string
  trace?: TracerProvider
  context?: { active(): { getValue(key: symbol): unknown } }
}

function otelRegistry(): OtelRegistry | undefined {
  const registry = (globalThis as { [OTEL_REGISTRY]?: OtelRegistry })[OTEL_REGISTRY]
  return registry?.version?.startsWith('1.') ? registry : undefined
}

/** The span `startActiveSpan` made current, as `trace.getActiveSpan()` reads it. */
function activeSpan(): object | undefined {
  const span = otelRegistry()?.context?.active().getValue(ACTIVE_SPAN)
  return typeof span === 'object' && span !== null ? span : undefined
}

/** No spans: what a transport without telemetry, or a client with `tracerProvider: false`, uses. */
export const noTelemetry: Telemetry = {
  span: (_name, _attributes, fn) => fn(noSpan),
  openSpan: (_name, _attributes, fn) => fn(noSpan),
  httpAttempt: (_target, _attempt, run) => run(),
}

const noSpan: SpanScope = { recording: false, set() {}, event() {}, end() {} }

/**
 * Spans for one SDK client. The tracer is looked up per span, so a provider registered after
 * the client was made is used; with no provider given and none registered through
 * `@opentelemetry/api`, every call runs its function and records nothing. Nothing
 * secret is ever put on a span: URLs go through `redactUrl`, messages through `redactText`,
 * and callers pass only ids, decisions and counts.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  if (options.tracerProvider === false) return noTelemetry
  const retryCountKey = `${options.namespace}.retry_count`
  /** Resends counted per enclosing SDK span, for its `retry_count`. */
  const resends = new WeakMap<object, { count: number }>()
  const given = options.tracerProvider?.getTracer(options.name, options.version)
  const tracer = (): Tracer | undefined =>
    given ?? otelRegistry()?.trace?.getTracer(options.name, options.version)

  const start = <T>(
    name: string,
    kind: number | undefined,
    attributes: Attributes,
    fn: (span: SpanScope) => Promise<T>,
    endOnSuccess: boolean,
  ): Promise<T> => {
    const current = tracer()
    if (current === undefined) return fn(noSpan)
    // Built only once a tracer is there: with tracing off a call pays for nothing but the lookup.
    const spanOptions: SpanOptions = { attributes: defined(attributes) }
    if (kind !== undefined) spanOptions.kind = kind
    return current.startActiveSpan(name, spanOptions, async (raw: Span) => {
      const counter = { count: 0 }
      resends.set(raw, counter)
      let ended = false
      const scope: SpanScope = {
        recording: raw.isRecording(),
        set: (attributes) => raw.setAttributes(defined(attributes)),
        event: (eventName, attributes) => raw.addEvent(eventName, attributes && defined(attributes)),
        end: (error, type) => {
          if (ended) return
          ended = true
          if (kind !== SPAN_KIND_CLIENT) {
            raw.setAttributes({ [retryCountKey]: counter.count })
          }
          if (error !== undefined) markFailed(raw, error, type ?? errorType(error))
          raw.end()
        },
      }
      try {
        const result = await fn(scope)
        if (endOnSuccess) scope.end()
        return result
      } catch (error) {
        scope.end(error)
        throw error
      }
    })
  }

  return {
    span: (name, attributes, fn) => start(name, undefined, attributes, fn, true),
    openSpan: (name, attributes, fn) => start(name, undefined, attributes, fn, false),
    httpAttempt(target, attempt, run) {
      if (given === undefined && otelRegistry()?.trace === undefined) return run()
      // The SDK span this request belongs to (requestAction, a token mint…) counts its resends.
      const parent = attempt > 0 ? activeSpan() : undefined
      if (parent !== undefined) {
        const counter = resends.get(parent)
        if (counter) counter.count++
      }
      const url = target.url
      const attributes = {
        'http.request.method': target.method,
        'url.full': redactUrl(url),
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        'http.request.resend_count': attempt > 0 ? attempt : undefined,
      }
      return start(
        target.method,
        SPAN_KIND_CLIENT,
        attributes,
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
