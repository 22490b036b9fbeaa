import { RelyntError } from './errors.js'

export interface AgentCredential {
  agentId: string
  /** `<agentId>:<secret>`, the value after `Bearer `. */
  token: string
}

/**
 * Builds the bearer token from the secret the dashboard showed. A secret that already
 * reads `<agentId>:<secret>` is used as is, so pasting either form works.
 */
export function resolveAgentCredential(
  secret: string | undefined,
  agentId: string | undefined,
): AgentCredential {
  const trimmedSecret = secret?.trim()
  const trimmedAgentId = agentId?.trim() || undefined
  if (!trimmedSecret) {
    throw new RelyntError(
      'No agent secret: pass { agentSecret } to RelyntClient or set RELYNT_AGENT_SECRET (it is shown once when the credential is rotated in the dashboard).',
      { code: 'missing_credentials' },
    )
  }
  // Never echo the secret: these messages only describe its shape.
  if (/\s/.test(trimmedSecret)) {
    throw new RelyntError('The agent secret contains whitespace; copy it again from the dashboard.', {
      code: 'invalid_credentials',
    })
  }
  if (trimmedAgentId !== undefined) {
    if (trimmedSecret.startsWith(`${trimmedAgentId}:`))
      return { agentId: trimmedAgentId, token: trimmedSecret }
    return { agentId: trimmedAgentId, token: `${trimmedAgentId}:${trimmedSecret}` }
  }
  const separator = trimmedSecret.indexOf(':')
  if (separator > 0 && separator < trimmedSecret.length - 1) {
    return { agentId: trimmedSecret.slice(0, separator), token: trimmedSecret }
  }
  throw new RelyntError(
    'No agent id: pass { agentId } to RelyntClient or set RELYNT_AGENT_ID (or give the secret in its `<agentId>:<secret>` form).',
    { code: 'missing_credentials' },
  )
}
