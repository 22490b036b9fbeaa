// Public API of @x/core. Transport and helpers for the SDK packages live in `@x/core/internal`.
export { APIError, type ApiErrorFields, type ApiErrorInit, RateLimitError } from './errors/api-error.js'
export {
  ClientClosedError,
  ConnectionError,
  type ConnectionErrorInit,
  type ResponseIssue,
  ResponseValidationError,
  TimeoutError,
  UserAbortError,
} from './errors/connection-error.js'
export { ErrorCode } from './errors/error-code.js'
export { SdkError, type SdkErrorOptions } from './errors/sdk-error.js'
export type { AuthChallenge } from './errors/www-authenticate.js'
export {
  AbstractPage,
  CursorPage,
  type CursorPageData,
  type CursorTrail,
  cursorPagePromise,
  type FetchCursorPage,
  type FetchPage,
  type FirstPage,
  Page,
  type PageData,
  PagePromise,
  pagePromise,
  type ToArrayOptions,
} from './pagination/page.js'
export type { SseEvent } from './sse/read-sse.js'
export type {
  AttributeValue,
  Span,
  SpanOptions,
  Tracer,
  TracerProvider,
} from './telemetry/create-telemetry.js'
export { APIPromise, type WithResponse } from './transport/api-promise.js'
export type { RequestCallOptions } from './transport/request-call-options.js'
export type { Logger, LogLevel } from './util/logger.js'
export { VERSION } from './version.js'
