import type { ToolOutcome } from './agent-tool.js'
import { isObservedEffect } from './observed-effect.js'

/** The authorisation a tool's work ran under, as the outcome names it. */
export interface OutcomeAuthorization {
  receiptId: string
  approvalId?: string
  approvedBy?: string
}

/**
 * What a tool's work that returned `result` reports: an observed effect's own status, fields
 * and message; otherwise `allowed` (under an authorisation) or `ok` (unguarded) with the
 * result. The receipt and approval always come from the authorisation, never from the work.
 */
export function resultOutcome<Result>(
  result: Result,
  authorization: OutcomeAuthorization | undefined,
): ToolOutcome<Result> {
  const granted = authorization === undefined ? {} : authorizationFields(authorization)
  if (isObservedEffect(result)) {
    // Only the authorisation names a receipt: fields claiming one are not passed on.
    const {
      receiptId: _r,
      approvalId: _a,
      approvedBy: _b,
      ...fields
    } = result.fields as Record<string, unknown>
    return {
      ...fields,
      status: result.status,
      message: result.message,
      isError: result.isError,
      ...granted,
    } as unknown as ToolOutcome<Result>
  }
  if (authorization === undefined) return { status: 'ok', result } as ToolOutcome<Result>
  return { status: 'allowed', result, ...granted } as ToolOutcome<Result>
}

function authorizationFields(authorization: OutcomeAuthorization): OutcomeAuthorization {
  const fields: OutcomeAuthorization = { receiptId: authorization.receiptId }
  if (authorization.approvalId) fields.approvalId = authorization.approvalId
  if (authorization.approvedBy) fields.approvedBy = authorization.approvedBy
  return fields
}
