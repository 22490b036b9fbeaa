import { ApprovalTimeoutError, RelyntError } from '@x/relynt'

/**
 * The SDK's messages speak to programmers (`pass { baseUrl }`); for the errors a
 * command-line user fixes with a flag or a variable, say that. Everything else is the
 * SDK's own message.
 */
export function describe(error: unknown): string | undefined {
  if (ApprovalTimeoutError.isInstance(error)) {
    return (
      `Approval ${error.approvalId} was still pending after ${Math.round(error.waitedMs / 1000)} s; nothing was executed. ` +
      `Wait again with: x-relynt approval wait ${error.approvalId} (--timeout to wait longer).`
    )
  }
  if (!RelyntError.isInstance(error)) return undefined
  if (error.code === 'missing_base_url') {
    return 'No gateway URL: pass --base-url https://gateway.example.com or set RELYNT_API_BASE_URL.'
  }
  if (error.code === 'missing_credentials') {
    return error.message.startsWith('No agent id')
      ? 'No agent id: pass --agent-id or set RELYNT_AGENT_ID (or give RELYNT_AGENT_SECRET in its <agentId>:<secret> form).'
      : 'No agent secret: set RELYNT_AGENT_SECRET (shown once when the credential is rotated in the dashboard). It is read from the environment only, never from a flag.'
  }
  if (error.code === 'invalid_argument') {
    // `requestAction: payload must be …` names the SDK method; the user typed a flag.
    return error.message.replace(/^[\w.]+: (payload|from|to)\b/, '--$1')
  }
  return undefined
}
