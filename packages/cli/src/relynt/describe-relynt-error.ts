import { ApprovalTimeoutError, RelyntError } from '@x/relynt'
import { type CliWording, describeSdkError } from '../cli/describe-sdk-error.js'

const isoExample = 'an ISO 8601 date or time, e.g. 2026-05-01 or 2026-05-01T09:00:00Z'

const wording: CliWording = {
  given: { baseUrl: '--base-url (or RELYNT_API_BASE_URL)', approvalPath: 'The approval path' },
  mustBe: {
    payload: '--payload must be a JSON object, e.g. \'{"amount":52000}\' or @file.json.',
    from: `--from must be ${isoExample}.`,
    to: `--to must be ${isoExample}.`,
    limit: '--limit must be a whole number, 1 or more.',
    action: '--action must not be empty (e.g. update_deal).',
    resource: '--resource must not be empty (e.g. crm:deal:123).',
    approvalId: 'That is not an approval id: pass the approval id a request printed (apr_…).',
    receiptId: 'That is not a receipt id: pass the receipt id a request printed.',
    timeoutMs: '--timeout must be a duration, 0 or more (e.g. 90s, 15m).',
  },
}

/**
 * Says what to do in the command line's terms (flags, variables), from the error's `code`
 * and `param`; everything else is the SDK's own message.
 */
export function describe(error: unknown): string | undefined {
  if (ApprovalTimeoutError.isInstance(error)) {
    return (
      `Approval ${error.approvalId} was still pending after ${Math.round(error.waitedMs / 1000)} s; nothing was executed. ` +
      `Wait again with: x-relynt approval wait ${error.approvalId} (--timeout to wait longer).`
    )
  }
  if (!RelyntError.isInstance(error)) return undefined
  switch (error.code) {
    case 'missing_base_url':
      return 'No gateway URL: pass --base-url https://gateway.example.com or set RELYNT_API_BASE_URL.'
    case 'missing_credentials':
      return 'No agent secret: set RELYNT_AGENT_SECRET to the credential the dashboard shows, <agent_id>:<secret> (shown once when the credential is rotated). It is read from the environment only, never from a flag.'
    default:
      return describeSdkError(error, wording)
  }
}
