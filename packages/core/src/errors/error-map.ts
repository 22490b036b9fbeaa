import { requestIdOf } from '../transport/api-promise.js'
import { redact, redactHeaders, redactText } from '../util/redact.js'
import { APIError, type ApiErrorInit, RateLimitError } from './api-error.js'
import {
  ConnectionError,
  type ConnectionErrorInit,
  ResponseValidationError,
  TimeoutError,
} from './connection-error.js'
import { SdkError } from './sdk-error.js'
import { primaryChallenge } from './www-authenticate.js'

export type ApiErrorClass = new (init: ApiErrorInit) => SdkError
export type ConnectionErrorClass = new (init: ConnectionErrorInit) => SdkError
/** The family's error for a misuse caught before sending, e.g. `RalioConfigError`. */
export type ConfigErrorClass = new (message: string, options: { code: string }) => SdkError

/**
 * An error family: which class the transport throws for each outcome. A thin package
 * defines its classes once and hands this table to the transport, so `instanceof
 * RalioError` catches every Ralio failure.
 */
export interface ErrorMap {
  /** HTTP status → class; `default` for every status not listed. */
  api: { readonly [status: number]: ApiErrorClass; readonly default: ApiErrorClass }
  connection: ConnectionErrorClass
  timeout: ConnectionErrorClass
  /** A 2xx body that fails its schema. Defaults to core's ResponseValidationError. */
  invalidResponse?: new (
    message: string,
    issues: readonly { path: readonly PropertyKey[]; message: string }[],
  ) => SdkError
  /** Pulls `{ code, message }` out of an error body; defaults to `describeErrorBody`. */
  describe?: (
    body: unknown,
    statusCode: number,
  ) => { code?: string | undefined; message?: string | undefined }
  /** Bad request options caught before anything is sent (a header value with a line break…). Defaults to `SdkError`. */
  config?: ConfigErrorClass
}

export const defaultErrorMap: ErrorMap = {
  api: { 429: RateLimitError, default: APIError },
  connection: ConnectionError,
  timeout: TimeoutError,
  invalidResponse: ResponseValidationError,
  config: SdkError,
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  408: 'request_timeout',
  409: 'conflict',
  410: 'gone',
  422: 'unprocessable_entity',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'gateway_timeout',
}

export function defaultCodeForStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'server_error' : 'http_error')
}

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined

/**
 * Understands the error bodies seen in the wild: FastAPI `{detail}` (string, object, or a
 * validation array of `{loc, msg, type}`),
 * OAuth `{error, error_description}`, `{error: {code, message}}`, `{code, message}`, and text.
 */
export function describeErrorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body === 'string') return { message: asString(body.slice(0, 500)) }
  if (typeof body !== 'object' || body === null) return {}
  const record = body as Record<string, unknown>
  const detail = record.detail
  if (typeof detail === 'string') return { message: detail }
  if (Array.isArray(detail)) return describeValidationIssues(detail)
  if (typeof detail === 'object' && detail !== null) {
    const inner = describeErrorBody(detail)
    if (inner.code || inner.message) return inner
  }
  const error = record.error
  if (typeof error === 'object' && error !== null) {
    const nested = error as Record<string, unknown>
    return {
      code: asString(nested.code) ?? asString(nested.type),
      message: asString(nested.message) ?? asString(nested.error_description),
    }
  }
  // OAuth: `error` is the code, `error_description` the message; the code is the fallback message.
  // Some servers put a sentence in `error` ("Something went wrong"): that is a message, not a code.
  const errorText = asString(error)
  const errorIsCode = errorText !== undefined && /^[a-z][a-z0-9_.-]*$/i.test(errorText)
  const code = (errorIsCode ? errorText : undefined) ?? asString(record.code)
  const message = asString(record.error_description) ?? asString(record.message) ?? errorText
  return { code, message }
}

/** FastAPI's 422 body: `[{ loc: ['body', 'message'], msg: 'Field required', type: 'missing' }]`. */
function describeValidationIssues(issues: unknown[]): { code?: string; message?: string } {
  const described = issues.slice(0, 5).flatMap((issue) => {
    if (typeof issue !== 'object' || issue === null) return typeof issue === 'string' ? [issue] : []
    const { loc, msg } = issue as { loc?: unknown; msg?: unknown }
    const where = Array.isArray(loc) ? loc.filter((part) => part !== 'body').join('.') : ''
    const what = asString(msg) ?? 'is invalid'
    return [where ? `${where}: ${what}` : what]
  })
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''
  return described.length > 0 ? { code: 'validation_error', message: `${described.join('; ')}${more}` } : {}
}

export interface ApiErrorSource {
  status: number
  headers: Headers
  /** Raw response text (already read). */
  text: string
  retryAfterMs?: number | undefined
  /** `GET https://…/path` — added to the message when the body says nothing useful. */
  requestLabel?: string | undefined
  /** The code when the body names none; default: one for the status (`not_found`…). */
  defaultCode?: string | undefined
  /** The message when the body says nothing useful; default `HTTP <status> from <requestLabel>`. */
  defaultMessage?: string | undefined
}

export function parseBody(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Builds the family's error for a failed response. The one place status → class is decided. */
export function createApiError(map: ErrorMap, source: ApiErrorSource): SdkError {
  const body = redact(parseBody(source.text))
  const described = (map.describe ?? describeErrorBody)(body, source.status)
  const code = described.code ?? source.defaultCode ?? defaultCodeForStatus(source.status)
  // The label too: a path or query may hold a value registered as a secret.
  const message = redactText(
    described.message ||
      source.defaultMessage ||
      `HTTP ${source.status}${source.requestLabel ? ` from ${source.requestLabel}` : ''}`,
  )
  const ErrorClass = map.api[source.status] ?? map.api.default
  const detail = serverDetail(body)
  return new ErrorClass({
    statusCode: source.status,
    code,
    message,
    body,
    requestId: requestIdOf(source.headers),
    headers: redactHeaders(source.headers),
    retryAfterMs: source.retryAfterMs,
    detail: detail === undefined ? undefined : redactText(detail),
    wwwAuthenticate: primaryChallenge(source.headers.get('www-authenticate')),
  })
}

/** The server's human message, as the official SDKs expose it: `detail` first, then the OAuth forms. */
function serverDetail(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null) {
    const detail = (body as { detail?: unknown }).detail
    if (typeof detail === 'string') return detail
    if (detail !== undefined && detail !== null) return JSON.stringify(detail).slice(0, 2_000)
  }
  return describeErrorBody(body).message
}
