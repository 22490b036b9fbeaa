import type { PolicyRule } from '@x/sandbox'
import { startRalioSandbox, startRelyntSandbox } from '@x/sandbox'

/** The suppliers the organisation pays without asking, up to the threshold. */
export const knownSuppliers = ['acme-stationery', 'northwind-logistics'] as const

/**
 * The organisation's payment policy in the local gateway, set explicitly so the demo shows the
 * same three decisions whatever the sandbox starts with. An allow-list: known suppliers are paid
 * up to 1 000, above that a person approves, and every other payee goes to a person — a
 * deny rule on a name alone could always be dodged by spelling the name differently. First
 * match wins.
 */
export const demoPolicy: PolicyRule[] = [
  // A supplier under investigation: refused whatever the amount (its respellings are unknown payees).
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:globex-holdings',
    decision: 'deny',
    risk_level: 'high',
  },
  ...knownSuppliers.map(
    (supplier): PolicyRule => ({
      action: 'ralio.pay',
      resource_pattern: `ralio:payee:${supplier}`,
      decision: 'allow',
      risk_level: 'medium',
      conditions: { max_amount_change: 1000, deny_fields: ['iban', 'bank_account'] },
    }),
  ),
  // Anyone else: a person decides.
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:*',
    decision: 'require_approval',
    risk_level: 'high',
  },
]
export const demoPolicyVersion = 'payments-2026-06'

/** Where the demo sends its Ralio calls, and how it gets a binding there. */
export interface RalioEndpoint {
  url: string
  /** True when this process started the sandbox. */
  local: boolean
  /** A one-time registration ticket; undefined when an existing binding is used. */
  ticket: string | undefined
  /** An existing credential directory to use instead of registering (RALIO_CONFIG_DIR). */
  configDir: string | undefined
}

/** Where the demo sends its Relynt calls, as which agent, and who can approve. */
export interface RelyntEndpoint {
  url: string
  local: boolean
  /** A new agent on a local gateway; RELYNT_AGENT_ID / RELYNT_AGENT_SECRET for a remote one. */
  agentId: string | undefined
  agentSecret: string | undefined
  /**
   * The admin token of a sandbox whose admin API can stand in for the approver;
   * undefined for a real gateway, which waits for a person in Slack.
   */
  adminToken: string | undefined
  /** The local sandbox's approvals console login link; undefined for a remote gateway. */
  consoleUrl: string | undefined
}

export interface Services {
  ralio: RalioEndpoint
  relynt: RelyntEndpoint
  close(): Promise<void>
}

export interface StartServicesOptions {
  env: Record<string, string | undefined>
  /** Pause between streamed chat events of the local Ralio agent, for human-paced output. */
  streamDelayMs: number
  /** The local Ralio agent pays up to this much without asking its owner. */
  spendLimit: string
}

/**
 * Uses the services the environment names (RALIO_API_URL, RELYNT_API_BASE_URL) and
 * starts an in-process sandbox for each one it doesn't.
 */
export async function startServices(options: StartServicesOptions): Promise<Services> {
  const { env } = options
  const closers: Array<() => Promise<void>> = []
  const close = async () => {
    await Promise.allSettled(closers.reverse().map((closeOne) => closeOne()))
  }
  try {
    const ralio = await ralioEndpoint(options, closers)
    const relynt = await relyntEndpoint(env, closers)
    return { ralio, relynt, close }
  } catch (error) {
    await close()
    throw error
  }
}

async function ralioEndpoint(
  options: StartServicesOptions,
  closers: Array<() => Promise<void>>,
): Promise<RalioEndpoint> {
  const remoteUrl = setting(options.env, 'RALIO_API_URL')
  if (remoteUrl !== undefined) {
    return {
      url: remoteUrl,
      local: false,
      ticket: setting(options.env, 'RALIO_REGISTRATION_TICKET'),
      configDir: setting(options.env, 'RALIO_CONFIG_DIR'),
    }
  }
  const sandbox = await startRalioSandbox({
    streamDelayMs: options.streamDelayMs,
    spendLimit: options.spendLimit,
  })
  closers.push(() => sandbox.close())
  return { url: sandbox.url, local: true, ticket: sandbox.mintTicket().ticket, configDir: undefined }
}

async function relyntEndpoint(
  env: Record<string, string | undefined>,
  closers: Array<() => Promise<void>>,
): Promise<RelyntEndpoint> {
  const remoteUrl = setting(env, 'RELYNT_API_BASE_URL')
  if (remoteUrl !== undefined) {
    // `pnpm sandbox` runs on loopback and prints the token of its admin API; a real gateway has none.
    return {
      url: remoteUrl,
      local: false,
      agentId: setting(env, 'RELYNT_AGENT_ID'),
      agentSecret: setting(env, 'RELYNT_AGENT_SECRET'),
      adminToken: isLoopback(remoteUrl) ? setting(env, 'SANDBOX_ADMIN_TOKEN') : undefined,
      consoleUrl: undefined,
    }
  }
  const sandbox = await startRelyntSandbox()
  closers.push(() => sandbox.close())
  sandbox.setPolicy(demoPolicy, demoPolicyVersion)
  const agent = sandbox.createAgent({ name: 'accounts-payable-agent' })
  return {
    url: sandbox.url,
    local: true,
    agentId: agent.agentId,
    agentSecret: agent.secret,
    adminToken: sandbox.adminToken,
    consoleUrl: sandbox.consoleUrl,
  }
}

/**
 * Approves through the sandbox's admin HTTP API: what a finance lead clicking "Approve"
 * in Slack does to a real gateway. Plain fetch on purpose: the approver is another
 * party, not the agent, so it does not use the agent's client or credential.
 */
export async function approveAsFinanceLead(
  relynt: { url: string; adminToken: string },
  approvalId: string,
  approver: string,
): Promise<void> {
  const url = new URL(`/__admin/approvals/${encodeURIComponent(approvalId)}/approve`, relynt.url)
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${relynt.adminToken}` },
    body: JSON.stringify({ approver }),
  })
  if (!response.ok) {
    const body = await response.text().catch(() => '')
    throw new ApproverError(
      `The approver could not approve ${approvalId}: ${url.origin} answered ${response.status}` +
        `${body ? ` (${body.slice(0, 200)})` : ''}. Is ${url.origin} a Relynt sandbox with its admin API?`,
    )
  }
}

export class ApproverError extends Error {
  override name = 'ApproverError'
  readonly code = 'approver_failed'
}

function setting(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim()
  return value ? value : undefined
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host)
  } catch {
    return false
  }
}
