import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * A response the sandbox deliberately sends for bad input. Route code throws it; the
 * app's error handler turns it into the response, so every rejection has one exit.
 */
export class RalioHttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`Ralio sandbox responded ${status}`)
    this.name = 'RalioHttpError'
  }
}

/** FastAPI-style `{"detail": …}` body. */
export function detailError(status: ContentfulStatusCode, detail: unknown): RalioHttpError {
  return new RalioHttpError(status, { detail })
}

/** Registration errors: `{"detail": {"error", "error_description", "used_at"?, "used_by_host"?}}`. */
export function registrationError(
  status: ContentfulStatusCode,
  error: string,
  description: string,
  usage?: { usedAt: string; usedByHost: string },
): RalioHttpError {
  return new RalioHttpError(status, {
    detail: {
      error,
      error_description: description,
      ...(usage ? { used_at: usage.usedAt, used_by_host: usage.usedByHost } : {}),
    },
  })
}

/** OAuth token-endpoint errors (RFC 6749 §5.2): `{"error", "error_description"}`. */
export function oauthError(
  status: ContentfulStatusCode,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): RalioHttpError {
  return new RalioHttpError(status, { error, error_description: description }, headers)
}

/**
 * A 401 from a protected resource with the RFC 9449 §7.1 challenge. The reason goes in
 * `error_description` so a client author can see exactly which rule the request broke.
 */
export function dpopChallenge(
  error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce',
  description: string,
  headers: Record<string, string> = {},
): RalioHttpError {
  return new RalioHttpError(
    401,
    { detail: description },
    {
      'WWW-Authenticate': `DPoP error="${error}", error_description="${quotable(description)}", algs="ES256"`,
      ...headers,
    },
  )
}

function quotable(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('"', "'")
}
