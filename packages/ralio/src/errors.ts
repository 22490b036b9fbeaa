import type { ApiErrorInit, AuthChallenge, SdkErrorOptions } from '@x/core'
import { SdkError } from '@x/core'
import {
  apiErrorBase,
  connectionErrorBase,
  type ErrorMap,
  invalidResponseErrorBase,
  timeoutErrorBase,
} from '@x/core/internal'

/** Base of every error `@x/ralio` throws: `RalioError.isInstance(error)` catches them all. */
export class RalioError extends SdkError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioError')
}

/** The server answered with an error status. Subclasses narrow it by status. */
export class RalioAPIError extends apiErrorBase(RalioError) {
  static override readonly brand: symbol = Symbol.for('x.error.RalioAPIError')

  constructor(init: ApiErrorInit) {
    super({ ...init, message: describeAuthenticateHeader(init) ?? init.message })
  }
}

/** 401: the token or proof was refused even after a refresh (or the client assertion was). */
export class RalioAuthError extends RalioAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioAuthError')
}

/** 403: the binding lacks the scope, or the agent is not the one it is pinned to. */
export class RalioPermissionError extends RalioAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioPermissionError')
}

export class RalioNotFoundError extends RalioAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioNotFoundError')
}

/** 422: the request broke a validation or business rule. */
export class RalioValidationError extends RalioAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioValidationError')
}

/** 429: still rate limited after the retries, or the server asked to wait longer than allowed. */
export class RalioRateLimitError extends RalioAPIError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioRateLimitError')
}

/** The request never got an HTTP answer (refused, reset, DNS), or a stream was cut. */
export class RalioConnectionError extends connectionErrorBase(RalioError) {
  static override readonly brand: symbol = Symbol.for('x.error.RalioConnectionError')
}

/** An attempt, or a stream waiting for its next event, took longer than allowed. */
export class RalioTimeoutError extends timeoutErrorBase(RalioConnectionError) {
  static override readonly brand: symbol = Symbol.for('x.error.RalioTimeoutError')
}

/**
 * The server refused our proof's time and its `Date` header is further from this machine's
 * clock than the SDK will adjust for (15 minutes): no proof is signed for the server's time.
 */
export class RalioClockSkewError extends RalioError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioClockSkewError')
  /** Server clock minus this machine's clock, in milliseconds. */
  readonly skewMs: number

  constructor(skewMs: number, maxSkewMs: number) {
    super(
      `The server's clock is ${describeDuration(skewMs)} ${skewMs > 0 ? 'ahead of' : 'behind'} this machine's, more than the ${describeDuration(maxSkewMs)} the SDK adjusts for, so no request was signed with it. Fix this machine's clock (NTP), or check that baseUrl points at the real API.`,
      { code: 'clock_skew' },
    )
    this.skewMs = skewMs
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), skewMs: this.skewMs }
  }
}

function describeDuration(ms: number): string {
  const minutes = Math.abs(ms) / 60_000
  if (minutes < 120) return `${Math.round(minutes)} minutes`
  const hours = minutes / 60
  if (hours < 48) return `${Math.round(hours)} hours`
  const days = hours / 24
  return days < 730 ? `${Math.round(days)} days` : `${Math.round(days / 365.25)} years`
}

/** The SDK was set up wrongly: missing ticket or credentials, unsafe URL or key file, … */
export class RalioConfigError extends RalioError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioConfigError')
  constructor(message: string, options?: SdkErrorOptions) {
    super(message, { ...options, code: options?.code ?? 'invalid_config' })
  }
}

/** What a `RalioRegistrationError` is made from when no HTTP response is involved. */
export interface RegistrationErrorInit {
  code: string
  message: string
  statusCode?: number
  body?: unknown
  requestId?: string
  headers?: Record<string, string>
  /** Where the key generated for this registration was kept, when it was. */
  keyPath?: string
  /** The failure behind this one (e.g. the first token request after a successful registration). */
  cause?: unknown
}

/**
 * Registration failed: the server refused the ticket or key (`code` is the server's,
 * e.g. `ticket_already_consumed`), or its answer can't be used (`fingerprint_mismatch`,
 * `approval_required`).
 */
export class RalioRegistrationError extends RalioError {
  static override readonly brand: symbol = Symbol.for('x.error.RalioRegistrationError')
  readonly statusCode: number | undefined
  readonly body: unknown
  readonly requestId: string | undefined
  readonly headers: Record<string, string>
  /** When and by which host a consumed ticket was used, as the server reported. */
  readonly usedAt: string | undefined
  readonly usedByHost: string | undefined
  readonly keyPath: string | undefined
  /** The server's own words, redacted, when it answered. */
  readonly detail: string | undefined
  /** The server's `WWW-Authenticate` challenge, parsed and redacted, when it sent one. */
  readonly wwwAuthenticate: AuthChallenge | undefined

  constructor(init: ApiErrorInit | RegistrationErrorInit) {
    const detail = registrationDetail(init.body)
    const code = detail.error ?? init.code
    super(registrationMessage(code, detail, init.message), {
      code,
      cause: 'cause' in init ? init.cause : undefined,
    })
    this.statusCode = init.statusCode
    this.body = init.body
    this.requestId = init.requestId
    this.headers = init.headers ?? {}
    this.usedAt = detail.usedAt
    this.usedByHost = detail.usedByHost
    this.keyPath = 'keyPath' in init ? init.keyPath : undefined
    this.detail = detail.description ?? ('detail' in init ? init.detail : undefined)
    this.wwwAuthenticate = 'wwwAuthenticate' in init ? init.wwwAuthenticate : undefined
  }

  /** The error as JSON for logs, with the ticket's use details; never the ticket itself. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      statusCode: this.statusCode,
      usedAt: this.usedAt,
      usedByHost: this.usedByHost,
      body: this.body,
    }
  }
}

/** A successful response whose body does not have the documented shape. */
export class RalioResponseValidationError extends invalidResponseErrorBase(RalioError) {
  static override readonly brand: symbol = Symbol.for('x.error.RalioResponseValidationError')
}

interface RegistrationDetail {
  error?: string
  description?: string
  usedAt?: string
  usedByHost?: string
}

function registrationDetail(body: unknown): RegistrationDetail {
  if (typeof body !== 'object' || body === null) return {}
  const raw = (body as { detail?: unknown }).detail ?? body
  if (typeof raw === 'string') return { description: raw }
  if (typeof raw !== 'object' || raw === null) return {}
  const record = raw as Record<string, unknown>
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
  return {
    error: text(record.error),
    description: text(record.error_description),
    usedAt: text(record.used_at),
    usedByHost: text(record.used_by_host),
  }
}

const registrationAdvice: Record<string, string> = {
  ticket_already_consumed: 'ask the owner for a new ticket',
  ticket_expired: 'ask the owner for a new ticket',
  invalid_ticket: 'check that the whole ticket (ralio-reg-…) was copied, or ask the owner for a new one',
  scope_exceeds_ticket_ceiling:
    "request only scopes within the ticket's ceiling, or ask the owner for a ticket with a wider one",
  invalid_scope:
    "request only scopes the ticket grants (the owner sees them in the console), or omit requestedScopes to take the ticket's whole ceiling",
  public_key_already_in_use: 'register with a newly generated key',
  invalid_public_key: 'the key must be a P-256 (ES256) key',
}

function registrationMessage(code: string, detail: RegistrationDetail, fallback: string): string {
  if (detail.description === undefined && detail.error === undefined) return fallback
  const said = (detail.description ?? detail.error ?? fallback).replace(/[.\s]+$/, '')
  // When and where a consumed ticket was used belongs to the first clause, before any advice.
  const [first = said, ...rest] = said.split(/;\s*/)
  const used = [detail.usedAt && `used at ${detail.usedAt}`, detail.usedByHost && `by ${detail.usedByHost}`]
    .filter(Boolean)
    .join(', ')
  const clauses = [used === '' ? first : `${first} (${used})`, ...rest]
  const advice = registrationAdvice[code]
  // Servers often advise already ("…; ask the owner for a new one"): say it once.
  if (advice !== undefined && !advises(said, advice)) clauses.push(advice)
  const message = clauses.join('; ')
  return message.charAt(0).toUpperCase() + message.slice(1)
}

/** Whether `text` already gives `advice` (the same advice, or one to the same person). */
function advises(text: string, advice: string): boolean {
  const lower = text.toLowerCase()
  if (lower.includes(advice.toLowerCase())) return true
  const addressee = /^(ask the owner|register with|request only)/.exec(advice)?.[1]
  return addressee !== undefined && lower.includes(addressee)
}

/**
 * DPoP and OAuth failures carry their precise reason in `WWW-Authenticate`; use it
 * when the body said nothing better than the status.
 */
function describeAuthenticateHeader(init: ApiErrorInit): string | undefined {
  if (init.statusCode !== 401 || !/^HTTP \d{3}\b/.test(init.message)) return undefined
  const params = init.wwwAuthenticate?.params
  return params?.error_description ?? params?.error
}

/** The status → class map every Ralio request uses. */
export const ralioErrors: ErrorMap = {
  api: {
    401: RalioAuthError,
    403: RalioPermissionError,
    404: RalioNotFoundError,
    422: RalioValidationError,
    429: RalioRateLimitError,
    default: RalioAPIError,
  },
  connection: RalioConnectionError,
  timeout: RalioTimeoutError,
  invalidResponse: RalioResponseValidationError,
  config: RalioConfigError,
}

/**
 * Every non-2xx answer of the registration endpoint is a `RalioRegistrationError`, as the
 * official SDKs raise it: `statusCode`, the server's `detail` and its error `code`
 * (`invalid_ticket`, `ticket_expired`, `ticket_already_consumed`, …).
 */
export const registrationErrors: ErrorMap = {
  api: { default: RalioRegistrationError },
  connection: RalioConnectionError,
  timeout: RalioTimeoutError,
  invalidResponse: RalioResponseValidationError,
  config: RalioConfigError,
}
