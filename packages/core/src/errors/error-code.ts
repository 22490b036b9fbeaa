/**
 * The error codes both SDKs use for the same mistake or failure, defined once so that
 * `@x/ralio` and `@x/relynt` (and code catching their errors) agree. Product-specific
 * codes (`ticket_expired`, `approval_timeout`, …) stay with their SDK.
 */
export const ErrorCode = {
  /** An argument or option has the wrong type or value; `param` names it. */
  invalidArgument: 'invalid_argument',
  /** A URL option is not a usable absolute `http(s)` URL; `param` names it. */
  invalidUrl: 'invalid_url',
  /** A URL option would send credentials over plain HTTP to another machine; `param` names it. */
  insecureUrl: 'insecure_url',
  /** The host name did not resolve (DNS); nothing was sent. */
  hostNotFound: 'host_not_found',
  /** The server refused the connection; nothing was sent. */
  connectionRefused: 'connection_refused',
  /** The connection failed or broke. */
  connectionError: 'connection_error',
  /** An attempt took longer than `timeoutMs`. */
  timeout: 'timeout',
  /** A successful response did not have the documented shape. */
  invalidResponse: 'invalid_response',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]
