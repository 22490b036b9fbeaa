import { SdkError, type SdkErrorOptions } from './sdk-error.js'

/** What a `ConnectionError` (or `TimeoutError`) is made from. */
export interface ConnectionErrorInit {
  message: string
  cause?: unknown
  /** e.g. `connection_refused`, `connection_error`, `timeout`, `stream_incomplete` */
  code?: string
}

/** One problem a response schema found: where, and what. */
export interface ResponseIssue {
  path: readonly PropertyKey[]
  message: string
}

type SdkErrorClass = abstract new (message: string, options?: SdkErrorOptions) => SdkError
type ConnectionErrorClass = abstract new (init: ConnectionErrorInit) => SdkError

/** A family's base turned into a connection-error base: its statics, a ConnectionErrorInit constructor. */
export type ConnectionErrorBase<Base extends SdkErrorClass> = Omit<Base, 'prototype'> &
  (abstract new (
    init: ConnectionErrorInit,
  ) => InstanceType<Base>)

/** A connection-error class turned into a timeout base: same constructor, `code` 'timeout' by default. */
export type TimeoutErrorBase<Base extends ConnectionErrorClass> = Omit<Base, 'prototype'> &
  (abstract new (
    init: ConnectionErrorInit,
  ) => InstanceType<Base>)

/** A family's base turned into an invalid-response base with `issues`. */
export type InvalidResponseErrorBase<Base extends SdkErrorClass> = Omit<Base, 'prototype'> &
  (abstract new (
    message: string,
    issues?: readonly ResponseIssue[],
  ) => InstanceType<Base> & { readonly issues: readonly ResponseIssue[] })

/**
 * The connection-error base of a family, as `apiErrorBase` is for API errors:
 * `class RalioConnectionError extends connectionErrorBase(RalioError) { static override readonly brand… }`.
 * `defaultCode` is the family's code when the transport gives none.
 */
export function connectionErrorBase<Base extends SdkErrorClass>(
  Base: Base,
  defaultCode = 'connection_error',
): ConnectionErrorBase<Base> {
  // Extending the parameter as `typeof SdkError` gives the constructor its own signature
  // (a generic mixin must take `...args: any[]`); the cast back restores the types.
  abstract class WithConnectionInit extends (Base as unknown as typeof SdkError) {
    constructor(init: ConnectionErrorInit) {
      super(init.message, { code: init.code ?? defaultCode, cause: init.cause })
    }
  }
  return WithConnectionInit as unknown as ConnectionErrorBase<Base>
}

/** The timeout base over a family's connection error, so `instanceof`/`isInstance` of either matches. */
export function timeoutErrorBase<Base extends ConnectionErrorClass>(Base: Base): TimeoutErrorBase<Base> {
  abstract class WithTimeoutCode extends (Base as unknown as typeof ConnectionError) {
    constructor(init: ConnectionErrorInit) {
      super({ ...init, code: init.code ?? 'timeout' })
    }
  }
  return WithTimeoutCode as unknown as TimeoutErrorBase<Base>
}

/** The invalid-response base of a family: code `invalid_response` and the schema's `issues`. */
export function invalidResponseErrorBase<Base extends SdkErrorClass>(
  Base: Base,
): InvalidResponseErrorBase<Base> {
  abstract class WithIssues extends (Base as unknown as typeof SdkError) {
    readonly issues: readonly ResponseIssue[]
    constructor(message: string, issues: readonly ResponseIssue[] = []) {
      super(message, { code: 'invalid_response' })
      this.issues = issues
    }
  }
  return WithIssues as unknown as InvalidResponseErrorBase<Base>
}

/** No usable response: the connection failed, was reset, or a stream ended early. */
export class ConnectionError extends connectionErrorBase(SdkError) {
  static override readonly brand: symbol = Symbol.for('x.error.ConnectionError')
}

export class TimeoutError extends timeoutErrorBase(ConnectionError) {
  static override readonly brand: symbol = Symbol.for('x.error.TimeoutError')
}

/** The caller's `AbortSignal` fired. Not a failure of the service, so no family re-maps it. */
export class UserAbortError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.AbortError')
  constructor(options: { cause?: unknown; message?: string } = {}) {
    super(options.message ?? 'The request was aborted by the caller.', {
      code: 'aborted',
      cause: options.cause,
    })
  }
}

/** A 2xx response whose body does not have the documented shape. */
export class ResponseValidationError extends invalidResponseErrorBase(SdkError) {
  static override readonly brand: symbol = Symbol.for('x.error.ResponseValidationError')
}

/** Thrown for calls made after `close()`. */
export class ClientClosedError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.ClientClosedError')
  constructor() {
    super('The client was closed; create a new client to send more requests.', { code: 'client_closed' })
  }
}
