import { SdkError } from './sdk-error.js'

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

/** The fields an API error exposes; `apiErrorFields` fills them so each family's class stays small. */
export interface ApiErrorFields {
  readonly statusCode: number
  readonly body: unknown
  readonly requestId: string | undefined
  readonly headers: Record<string, string>
  readonly retryAfterMs: number | undefined
}

export function apiErrorFields(init: ApiErrorInit): ApiErrorFields {
  return {
    statusCode: init.statusCode,
    body: init.body,
    requestId: init.requestId,
    headers: init.headers,
    retryAfterMs: init.retryAfterMs,
  }
}

export function apiErrorJson(error: SdkError & ApiErrorFields): Record<string, unknown> {
  return {
    name: error.name,
    code: error.code,
    message: error.message,
    statusCode: error.statusCode,
    requestId: error.requestId,
    retryAfterMs: error.retryAfterMs,
    body: error.body,
  }
}

/** Core's generic API error, used by a transport that was given no error family. */
export class APIError extends SdkError implements ApiErrorFields {
  static override readonly brand: symbol = Symbol.for('x.error.APIError')
  readonly statusCode: number
  readonly body: unknown
  readonly requestId: string | undefined
  readonly headers: Record<string, string>
  readonly retryAfterMs: number | undefined

  constructor(init: ApiErrorInit) {
    super(init.message, { code: init.code })
    const fields = apiErrorFields(init)
    this.statusCode = fields.statusCode
    this.body = fields.body
    this.requestId = fields.requestId
    this.headers = fields.headers
    this.retryAfterMs = fields.retryAfterMs
  }

  override toJSON(): Record<string, unknown> {
    return apiErrorJson(this)
  }
}

export class RateLimitError extends APIError {
  static override readonly brand: symbol = Symbol.for('x.error.RateLimitError')
}
