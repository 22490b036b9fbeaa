import { SdkError, type SdkErrorOptions } from './sdk-error.js'

/** What the transport knows about a failed HTTP response; every family's API error takes it. */
export interface ApiErrorInit {
  statusCode: number
  /** The server's machine-readable code, else a default for the status (e.g. `unauthorized`). */
  code: string
  message: string
  /** Parsed JSON body, raw text, or undefined; secret-named fields already redacted. */
  body: unknown
  requestId: string | undefined
  /** Response headers, lower-cased, with secret-bearing ones redacted. */
  headers: Record<string, string>
  /** The delay the server asked for (Retry-After / retry-after-ms), when it sent one. */
  retryAfterMs?: number | undefined
}

/** The fields every API error exposes, whatever its family. */
export interface ApiErrorFields {
  readonly statusCode: number
  readonly body: unknown
  readonly requestId: string | undefined
  readonly headers: Record<string, string>
  readonly retryAfterMs: number | undefined
}

type SdkErrorClass = abstract new (message: string, options?: SdkErrorOptions) => SdkError

/** A family base (`RalioError`) turned into an API-error base: its statics, an ApiErrorInit constructor. */
export type ApiErrorBase<Base extends SdkErrorClass> = Omit<Base, 'prototype'> &
  (abstract new (
    init: ApiErrorInit,
  ) => InstanceType<Base> & ApiErrorFields)

/**
 * The API-error base of a family, so the fields, their assignment and `toJSON` are written
 * once: `class RalioAPIError extends apiErrorBase(RalioError) { static override readonly brand… }`.
 * The result extends `Base`, so `RalioError.isInstance` still catches it.
 */
export function apiErrorBase<Base extends SdkErrorClass>(Base: Base): ApiErrorBase<Base> {
  // Extending the parameter as `typeof SdkError` lets the constructor take `init` rather than
  // the `...args: any[]` TypeScript demands of a generic mixin; the cast back restores the types.
  abstract class WithApiErrorFields extends (Base as unknown as typeof SdkError) implements ApiErrorFields {
    readonly statusCode: number
    readonly body: unknown
    readonly requestId: string | undefined
    /** Response headers, with every credential-bearing one redacted. */
    readonly headers: Record<string, string>
    /** How long the server asked to wait, when it said. */
    readonly retryAfterMs: number | undefined

    constructor(init: ApiErrorInit) {
      super(init.message, { code: init.code })
      this.statusCode = init.statusCode
      this.body = init.body
      this.requestId = init.requestId
      this.headers = init.headers
      this.retryAfterMs = init.retryAfterMs
    }

    override toJSON(): Record<string, unknown> {
      return {
        name: this.name,
        code: this.code,
        message: this.message,
        statusCode: this.statusCode,
        requestId: this.requestId,
        retryAfterMs: this.retryAfterMs,
        body: this.body,
      }
    }
  }
  return WithApiErrorFields as unknown as ApiErrorBase<Base>
}

/** Core's generic API error, used by a transport that was given no error family. */
export class APIError extends apiErrorBase(SdkError) {
  static override readonly brand: symbol = Symbol.for('x.error.APIError')
}

export class RateLimitError extends APIError {
  static override readonly brand: symbol = Symbol.for('x.error.RateLimitError')
}
