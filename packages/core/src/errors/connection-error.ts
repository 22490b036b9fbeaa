import { SdkError } from './sdk-error.js'

/** What a `ConnectionError` (or `TimeoutError`) is made from. */
export interface ConnectionErrorInit {
  message: string
  cause?: unknown
  /** e.g. `connection_refused`, `connection_error`, `timeout`, `stream_incomplete` */
  code?: string
}

/** No usable response: the connection failed, was reset, or a stream ended early. */
export class ConnectionError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.ConnectionError')
  constructor(init: ConnectionErrorInit) {
    super(init.message, { code: init.code ?? 'connection_error', cause: init.cause })
  }
}

export class TimeoutError extends ConnectionError {
  static override readonly brand: symbol = Symbol.for('x.error.TimeoutError')
  constructor(init: ConnectionErrorInit) {
    super({ ...init, code: init.code ?? 'timeout' })
  }
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
export class ResponseValidationError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.ResponseValidationError')
  readonly issues: readonly { path: readonly PropertyKey[]; message: string }[]
  constructor(message: string, issues: readonly { path: readonly PropertyKey[]; message: string }[] = []) {
    super(message, { code: 'invalid_response' })
    this.issues = issues
  }
}

/** Thrown for calls made after `close()`. */
export class ClientClosedError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.ClientClosedError')
  constructor() {
    super('The client was closed; create a new client to send more requests.', { code: 'client_closed' })
  }
}
