import {
  RalioAuthError,
  RalioConfigError,
  RalioConnectionError,
  RalioError,
  RalioPermissionError,
  RalioRegistrationError,
  RalioTimeoutError,
} from '@x/ralio'
import {
  ApprovalTimeoutError,
  AuthenticationError,
  NetworkError,
  RelyntError,
  UserAbortError,
} from '@x/relynt'
import { ApproverError } from './sandboxes.js'

/** A failure told to a person: what broke (name and code) and what to do about it. */
export interface Failure {
  title: string
  paragraph: string
  /** Only with DEBUG set. */
  stack?: string
}

/** Turns anything the pipeline threw into one paragraph: no stack trace unless `debug`. */
export function describeFailure(error: unknown, debug = false): Failure {
  const stack = debug && error instanceof Error ? error.stack : undefined
  const base = error instanceof Error ? error : new Error(String(error))
  const code = (base as { code?: unknown }).code
  const title = `${base.name}${typeof code === 'string' ? ` (${code})` : ''}`
  const paragraph = `${base.message.trim()}${/[.!?)]$/.test(base.message.trim()) ? '' : '.'} ${advice(error)}`
  return stack ? { title, paragraph, stack } : { title, paragraph }
}

function advice(error: unknown): string {
  if (UserAbortError.isInstance(error)) return 'The demo was interrupted; nothing more was sent.'
  if (RalioRegistrationError.isInstance(error)) {
    return 'Registration tickets are single-use and expire: mint a new one (`pnpm sandbox` prints one) and set RALIO_REGISTRATION_TICKET, or unset RALIO_API_URL to use the built-in sandbox.'
  }
  if (RalioConfigError.isInstance(error)) return 'Fix the Ralio settings named above and run the demo again.'
  if (RalioConnectionError.isInstance(error) || RalioTimeoutError.isInstance(error)) {
    return 'Check that RALIO_API_URL points at a running Ralio service (or unset it to use the built-in sandbox).'
  }
  if (RalioAuthError.isInstance(error) || RalioPermissionError.isInstance(error)) {
    return 'The binding was refused: it may have been revoked or lack a scope. Register a new one with a fresh ticket.'
  }
  if (AuthenticationError.isInstance(error)) {
    return 'Check RELYNT_AGENT_ID and RELYNT_AGENT_SECRET: a rotated secret stops working at once.'
  }
  if (NetworkError.isInstance(error)) {
    return 'Check that RELYNT_API_BASE_URL points at a running Relynt gateway (or unset it to use the built-in sandbox).'
  }
  if (ApprovalTimeoutError.isInstance(error)) {
    return 'Nobody decided in time and nothing was paid. Approve it in Slack and run the demo again.'
  }
  if (error instanceof ApproverError) {
    return 'Point RELYNT_API_BASE_URL at `pnpm sandbox`, or unset it so the demo starts its own sandbox.'
  }
  if (RalioError.isInstance(error) || RelyntError.isInstance(error)) {
    return 'The service refused the request; run with DEBUG=1 for details.'
  }
  return 'This looks like a bug in the demo itself: run it again with DEBUG=1 to see the stack trace, and please report it.'
}
