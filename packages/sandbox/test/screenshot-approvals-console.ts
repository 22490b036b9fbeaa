// Takes the README's screenshot of the approvals console:
//   pnpm --filter @x/sandbox exec tsx test/screenshot-approvals-console.ts
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import { startRelyntSandbox } from '../src/relynt/start-relynt-sandbox.js'
import { launchChromium } from './chromium.js'

const ralio = await startRalioSandbox()
const relynt = await startRelyntSandbox({ connector: 'echo', ralio })
const agent = relynt.createAgent({ name: 'accounts-payable-agent' })
const userDataDir = await mkdtemp(join(tmpdir(), 'console-screenshot-'))
try {
  const call = async (action: string, resource: string, payload: Record<string, unknown>) => {
    const response = await fetch(`${relynt.url}/v1/agent-tool-call`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agent.agentId}:${agent.secret}`,
        'idempotency-key': crypto.randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ instance_id: 'run-2026-05-01', action, resource, payload }),
    })
    return (await response.json()) as { approval_id?: string }
  }
  await call('pay_supplier', 'payment:supplier:acme-corp', { amount: 420, currency: 'GBP' })
  const denied = await call('refund_payment', 'payment:order:7731', { amount: 89.5, currency: 'GBP' })
  await relynt.deny(denied.approval_id!, { approver: 'alice', reason: 'already refunded in April' })
  await call('update_deal', 'crm:deal:1042', { stage: 'closed_won', amount: 18000 })
  await call('refund_payment', 'payment:order:1001', {
    amount: 120,
    currency: 'GBP',
    note: '<img src=x onerror="alert(1)"> shown as text',
  })

  const context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 1400 } })
  const page = await context.newPage()
  await page.goto(relynt.consoleUrl)
  await page.locator('article').first().waitFor()
  await page.getByLabel('Your name').fill('alice')
  await page.screenshot({
    path: new URL('../docs/approvals-console.png', import.meta.url).pathname,
    fullPage: true,
  })
  await context.close()
} finally {
  await rm(userDataDir, { recursive: true, force: true })
  await relynt.close()
  await ralio.close()
}
