import { RalioClient } from '@x/ralio'
import { RelyntClient, type RelyntClientOptions } from '@x/relynt'
import type { RalioSandboxOptions } from '@x/sandbox'
import { type Sandboxes, startSandboxes } from '../../src/cli/start-sandboxes.js'

export interface Services extends Sandboxes {
  ralioClient: RalioClient
  relyntClient: RelyntClient
  /** Another Relynt client of the same agent, e.g. a second agent run. */
  newRelyntClient(options?: RelyntClientOptions): RelyntClient
  /** Approves as a person would, through the sandbox's admin HTTP API (not the agent's client). */
  approve(approvalId: string, approver?: string): Promise<void>
  deny(approvalId: string, approver?: string, reason?: string): Promise<void>
}

/** Both sandboxes with `sandboxPolicy`, a registered Ralio binding, and clients for them. */
export async function startServices(options: { ralio?: RalioSandboxOptions } = {}): Promise<Services> {
  const sandboxes = await startSandboxes(options)
  const { env } = sandboxes
  const newRelyntClient = (options: RelyntClientOptions = {}) =>
    new RelyntClient({
      baseUrl: env.RELYNT_API_BASE_URL,
      agentId: env.RELYNT_AGENT_ID,
      agentSecret: env.RELYNT_AGENT_SECRET,
      logger: 'off',
      ...options,
    })
  const ralioClient = new RalioClient({
    baseUrl: env.RALIO_API_URL,
    configDir: env.RALIO_CONFIG_DIR,
    logger: 'off',
  })
  const relyntClient = newRelyntClient()
  const decide =
    (verb: 'approve' | 'deny') =>
    async (approvalId: string, approver = 'slack:finance-lead', reason?: string) => {
      const url = new URL(
        `/__admin/approvals/${encodeURIComponent(approvalId)}/${verb}`,
        env.RELYNT_API_BASE_URL,
      )
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${sandboxes.relynt.adminToken}`,
        },
        body: JSON.stringify({ approver, reason }),
      })
      if (!response.ok)
        throw new Error(`${verb} ${approvalId}: HTTP ${response.status} ${await response.text()}`)
    }
  return {
    ...sandboxes,
    ralioClient,
    relyntClient,
    newRelyntClient,
    approve: decide('approve'),
    deny: decide('deny'),
    async close() {
      ralioClient.close()
      relyntClient.close()
      await sandboxes.close()
    },
  }
}

/**
 * The same client, reporting when its first wait for an approval ends (and how), so a test
 * can tell that aborting a framework's run really stopped the tool's wait.
 */
export function observeWaits(relynt: RelyntClient) {
  let ended: (reason: unknown) => void = () => {}
  const waitEnded = new Promise<unknown>((resolve) => {
    ended = resolve
  })
  const observed = {
    instanceId: relynt.instanceId,
    approvals: relynt.approvals,
    receipts: relynt.receipts,
    requestAction: relynt.requestAction.bind(relynt),
    simulate: relynt.simulate.bind(relynt),
    pollApproval: (options: Parameters<RelyntClient['pollApproval']>[0]) => {
      const wait = relynt.pollApproval(options)
      wait.then(ended, ended)
      return wait
    },
  }
  return { relynt: observed, waitEnded }
}

/**
 * The payment intents the Ralio sandbox holds for `reference`: the pay tool appends the receipt
 * link (` [relynt:<receipt id>]`) to the reference the payment agent reads.
 */
export function paymentsFor(services: Pick<Services, 'ralio'>, reference: string) {
  return services.ralio
    .stats()
    .paymentIntents.filter(
      (intent) => intent.reference === reference || intent.reference?.startsWith(`${reference} [relynt:`),
    )
}
