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
  // The documented form is `<agentId>:<secret>`: whatever precedes the first colon names the agent.
  const separator = trimmedSecret.indexOf(':')
  const carriesAgentId = separator > 0 && separator < trimmedSecret.length - 1
  if (trimmedAgentId !== undefined) {
    if (!carriesAgentId) return { agentId: trimmedAgentId, token: `${trimmedAgentId}:${trimmedSecret}` }
    if (trimmedSecret.slice(0, separator) === trimmedAgentId) {
      return { agentId: trimmedAgentId, token: trimmedSecret }
    }
    throw new RelyntError(
      `The agent secret is in <agentId>:<secret> form for a different agent than agentId "${trimmedAgentId}". ` +
        'Pass the secret of that agent, or drop agentId (and RELYNT_AGENT_ID) to use the id the secret carries.',
      { code: 'invalid_credentials' },
    )
  }
  if (carriesAgentId) return { agentId: trimmedSecret.slice(0, separator), token: trimmedSecret }
  throw new RelyntError(
    'No agent id: pass { agentId } to RelyntClient or set RELYNT_AGENT_ID (or give the secret in its `<agentId>:<secret>` form).',
    { code: 'missing_credentials' },
  )
}
