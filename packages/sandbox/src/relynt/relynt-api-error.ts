import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The spec's error codes, plus `connector_error` for a connector that failed (see relynt-gateway.ts). */
export type RelyntErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'policy_error'
  | 'rate_limited'
  | 'internal_error'
  | 'unavailable'
  | 'connector_error'

/** An error answered as `{"error":{"code","message"}}`; thrown anywhere below a route. */
export class RelyntApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: RelyntErrorCode,
    message: string,
    /** Extra members of the `error` object, e.g. the `receipt_id` of an `error` receipt. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'RelyntApiError'
  }

  toBody(): { error: Record<string, unknown> } {
    return relyntErrorBody(this.code, this.message, this.details)
  }
}

export function relyntErrorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, ...details } }
}

const codeByStatus: Record<number, RelyntErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'policy_error',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'unavailable',
}

/** The body of an injected fault that sets none: what the real gateway would send for that status. */
export function injectedFaultBody(status: number) {
  const code = codeByStatus[status] ?? (status >= 500 ? 'internal_error' : 'bad_request')
  return relyntErrorBody(code, `Injected fault: HTTP ${status}`)
}
