import { RelyntError } from './errors.js'

export interface AgentCredential {
  /** The agent the credential names, when it (or `agentId`) says; informational. */
  agentId: string | undefined
  /** The value after `Bearer `: `<agentId>:<secret>`, or a bare secret sent as given. */
  token: string
  /** The secret itself, without the agent id (scrubbed from output like the token). */
  secret: string
}

/**
 * Builds the bearer token from the credential the dashboard showed. The documented form
 * is `<agent_id>:<secret>`, used as is; a bare secret is prefixed with `agentId` when one
 * is given, and otherwise sent as given (the gateway then says whether it takes it).
 * `agentIdFromEnv`: `RELYNT_AGENT_ID` is informational, so a credential naming another
 * agent wins over it (a warning says so) instead of failing.
 */
export function resolveAgentCredential(
  secret: string | undefined,
  agentId: string | undefined,
  options: {
    agentIdFromEnv?: boolean
    debug?: (message: string) => void
    warn?: (message: string) => void
  } = {},
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
  if (carriesAgentId) {
    const named = trimmedSecret.slice(0, separator)
    const credential = { agentId: named, token: trimmedSecret, secret: trimmedSecret.slice(separator + 1) }
    if (trimmedAgentId === undefined || trimmedAgentId === named) return credential
    if (options.agentIdFromEnv === true) {
      options.warn?.(
        `RELYNT_AGENT_ID (${trimmedAgentId}) differs from the agent the secret names (${named}); using the secret's`,
      )
      return credential
    }
    throw new RelyntError(
      `The agent secret is in <agentId>:<secret> form for a different agent than agentId "${trimmedAgentId}". ` +
        'Pass the secret of that agent, or drop agentId to use the id the secret carries.',
      { code: 'invalid_credentials' },
    )
  }
  if (trimmedAgentId !== undefined) {
    return { agentId: trimmedAgentId, token: `${trimmedAgentId}:${trimmedSecret}`, secret: trimmedSecret }
  }
  options.debug?.(
    'the agent secret names no agent (the dashboard shows it as <agent_id>:<secret>) and no agentId was given; it is sent as given',
  )
  return { agentId: undefined, token: trimmedSecret, secret: trimmedSecret }
}
