import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RalioClient, register } from '@x/ralio'
import { RelyntClient } from '@x/relynt'
import { type PolicyRule, type RalioSandbox, startRalioSandbox, startRelyntSandbox } from '@x/sandbox'

/**
 * The organisation's payment policy, an allow-list: known payees are paid up to 1 000 at once,
 * and every other payee (however a model spells it) goes to a person. First match wins.
 */
const policy: PolicyRule[] = [
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:globex-holdings',
    decision: 'deny',
    risk_level: 'high',
  },
  ...['acme-stationery', 'northwind-logistics'].map(
    (payee): PolicyRule => ({
      action: 'ralio.pay',
      resource_pattern: `ralio:payee:${payee}`,
      decision: 'allow',
      risk_level: 'medium',
      conditions: { max_amount_change: 1000 },
    }),
  ),
  {
    action: 'ralio.pay',
    resource_pattern: 'ralio:payee:*',
    decision: 'require_approval',
    risk_level: 'high',
  },
]

export interface LocalServices {
  ralio: RalioClient
  relynt: RelyntClient
  ralioSandbox: RalioSandbox
  /** A finance lead approving in Slack; here, the gateway sandbox's admin API. */
  approve(approvalId: string): Promise<void>
  close(): Promise<void>
}

/** Local Ralio and Relynt sandboxes, a Ralio binding in a temporary directory, and clients for both. */
export async function startLocalServices(): Promise<LocalServices> {
  const ralioSandbox = await startRalioSandbox({ spendLimit: '100000.00' })
  const relyntSandbox = await startRelyntSandbox()
  relyntSandbox.setPolicy(policy, 'payments-2026-11')
  const agent = relyntSandbox.createAgent({ name: 'ai-sdk-agent' })
  const configDir = await mkdtemp(join(tmpdir(), 'ai-sdk-agent-'))
  await register({ ticket: ralioSandbox.mintTicket().ticket, baseUrl: ralioSandbox.url, configDir })
  const ralio = new RalioClient({ baseUrl: ralioSandbox.url, configDir })
  const relynt = new RelyntClient({
    baseUrl: relyntSandbox.url,
    agentId: agent.agentId,
    agentSecret: agent.secret,
  })
  return {
    ralio,
    relynt,
    ralioSandbox,
    async approve(approvalId) {
      const url = new URL(`/__admin/approvals/${encodeURIComponent(approvalId)}/approve`, relyntSandbox.url)
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${relyntSandbox.adminToken}` },
        body: JSON.stringify({ approver: 'slack:finance-lead' }),
      })
      if (!response.ok) throw new Error(`approving ${approvalId} failed: HTTP ${response.status}`)
    },
    async close() {
      ralio.close()
      relynt.close()
      await Promise.allSettled([ralioSandbox.close(), relyntSandbox.close()])
      await rm(configDir, { recursive: true, force: true })
    },
  }
}
