import { SdkError, type SdkErrorOptions } from './sdk-error.js'
import type { AuthChallenge } from './www-authenticate.js'

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
  /** The server's own words (FastAPI `detail`, OAuth `error_description`, the text body), redacted. */
  detail?: string | undefined
  /** The `WWW-Authenticate` challenge explaining the refusal, parsed and redacted. */
  wwwAuthenticate?: AuthChallenge | undefined
}

/** The fields every API error exposes, whatever its family. */
export interface ApiErrorFields {
  readonly statusCode: number
  readonly body: unknown
  readonly requestId: string | undefined
  readonly headers: Record<string, string>
  readonly retryAfterMs: number | undefined
  readonly detail: string | undefined
  readonly wwwAuthenticate: AuthChallenge | undefined
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
    /**
     * What the server said, in its own words: a FastAPI `detail` (structured ones as JSON),
     * an OAuth `error_description`, an error `message`, or a text body. Redacted.
     */
    readonly detail: string | undefined
    /**
     * The `WWW-Authenticate` challenge that explains a refusal (the first with an `error`
     * parameter, else the first), e.g. `{ scheme: 'DPoP', params: { error: 'use_dpop_nonce' } }`.
     * Values redacted.
     */
    readonly wwwAuthenticate: AuthChallenge | undefined

    constructor(init: ApiErrorInit) {
      super(init.message, { code: init.code })
      this.statusCode = init.statusCode
      this.body = init.body
      this.requestId = init.requestId
      this.headers = init.headers
      this.retryAfterMs = init.retryAfterMs
      this.detail = init.detail
      this.wwwAuthenticate = init.wwwAuthenticate
    }

    override toJSON(): Record<string, unknown> {
      return {
        name: this.name,
        code: this.code,
        message: this.message,
        statusCode: this.statusCode,
        requestId: this.requestId,
        retryAfterMs: this.retryAfterMs,
        detail: this.detail,
        wwwAuthenticate: this.wwwAuthenticate,
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
