// Not public API: the building blocks @x/ralio and @x/relynt are made of. Anything here may
// change in any release; applications should import from `@x/core` or an SDK package.
export { type ApiErrorBase, apiErrorBase } from '../errors/api-error.js'
export {
  type ConnectionErrorBase,
  connectionErrorBase,
  type InvalidResponseErrorBase,
  invalidResponseErrorBase,
  type TimeoutErrorBase,
  timeoutErrorBase,
} from '../errors/connection-error.js'
export {
  type ApiErrorClass,
  type ApiErrorSource,
  type ConfigErrorClass,
  type ConnectionErrorClass,
  createApiError,
  defaultCodeForStatus,
  defaultErrorMap,
  describeErrorBody,
  type ErrorMap,
  parseBody,
} from '../errors/error-map.js'
export { parseWwwAuthenticate, primaryChallenge } from '../errors/www-authenticate.js'
export {
  DEFAULT_MAX_EVENT_LENGTH,
  parseSseData,
  type ReadSseOptions,
  readSse,
  type SseIterator,
  type SseMessage,
  type SseOptions,
  sseEventName,
} from '../sse/read-sse.js'
export {
  type AttemptResult,
  type AttemptTarget,
  type Attributes,
  createTelemetry,
  errorType,
  noTelemetry,
  type SpanScope,
  type Telemetry,
  type TelemetryOptions,
  type TracerProviderOption,
} from '../telemetry/create-telemetry.js'
export { requestIdOf } from '../transport/api-promise.js'
export { connectionNeverOpened } from '../transport/connection-never-opened.js'
export {
  type AttemptContext,
  type AuthHook,
  type BodySource,
  createTransport,
  type FormBody,
  type HttpMethod,
  type RequestOptions,
  type SseStream,
  type StreamRequestOptions,
  type Transport,
  type TransportOptions,
} from '../transport/create-transport.js'
export { MAX_HEADER_VALUE_LENGTH } from '../transport/header-value.js'
export { DEFAULT_MAX_RESPONSE_BYTES } from '../transport/read-limited-body.js'
export { callOptions } from '../transport/request-call-options.js'
export type { ResponseSchema, ResponseSchemaResult } from '../transport/response-schema.js'
export {
  parseRetryAfter,
  type RetryDecision,
  type RetryPolicy,
  type RetryPolicyOptions,
  type RetryRequest,
  retryPolicy,
} from '../transport/retry-policy.js'
export { createIdempotencyKey } from '../util/idempotency-key.js'
export { inspectable } from '../util/inspectable.js'
export { lazyAsyncIterator } from '../util/lazy-async-iterator.js'
export { createLogger, envLogLevel, isLogLevel, type Logger, type LogLevel } from '../util/logger.js'
export { type ArgumentErrorDetails, pathSegment } from '../util/path-segment.js'
export { readEnv } from '../util/read-env.js'
export { isSecretName, redact, redactError, redactHeaders, redactText, redactUrl } from '../util/redact.js'
export { createSecretScope, MIN_SECRET_LENGTH, type SecretScope } from '../util/secret-scope.js'
export { isLoopbackHost, type SecureUrlOptions, secureUrl, type UrlErrorDetails } from '../util/secure-url.js'
export { sleep } from '../util/sleep.js'
export { runtimeName, userAgent } from '../util/user-agent.js'
