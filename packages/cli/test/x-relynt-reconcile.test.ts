import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RALIO_PAY_ACTION, ralioPayRequest } from '@x/agent-tools'
import { RalioClient } from '@x/ralio'
import { RelyntClient } from '@x/relynt'
import { type RalioSandbox, type RelyntSandbox, startRalioSandbox, startRelyntSandbox } from '@x/sandbox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from './support/run-command.js'

let ralio: RalioSandbox
let relynt: RelyntSandbox
let folder: string
let env: Record<string, string>
let ralioClient: RalioClient
let relyntClient: RelyntClient

beforeAll(async () => {
  ralio = await startRalioSandbox({ spendLimit: '100000.00' })
  relynt = await startRelyntSandbox()
  relynt.setPolicy(
    [{ action: 'ralio.pay', resource_pattern: 'ralio:payee:*', decision: 'allow', risk_level: 'low' }],
    'cli-reconcile',
  )
  const agent = relynt.createAgent({ name: 'cli-reconcile' })
  folder = await mkdtemp(join(tmpdir(), 'x-relynt-reconcile-'))
  const configDir = join(folder, 'ralio')
  env = {
    RALIO_API_URL: ralio.url,
    RALIO_CONFIG_DIR: configDir,
    RELYNT_API_BASE_URL: relynt.url,
    RELYNT_AGENT_ID: agent.agentId,
    RELYNT_AGENT_SECRET: agent.secret,
  }
  expect((await run('x-ralio', ['register', '--ticket', ralio.mintTicket().ticket], env)).code).toBe(0)
  ralioClient = new RalioClient({ baseUrl: ralio.url, configDir, logger: 'off' })
  relyntClient = new RelyntClient({
    baseUrl: relynt.url,
    agentId: agent.agentId,
    agentSecret: agent.secret,
    logger: 'off',
  })
})

afterAll(async () => {
  ralioClient?.close()
  relyntClient?.close()
  await ralio?.close()
  await relynt?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

const fields = { amount: '30.00', currency: 'GBP', payee: 'Acme Stationery', reference: 'cli paper' }

/** An authorised payment, its receipt id in the reference. */
async function authorisedPayment(reference: string): Promise<string> {
  const payment = { ...fields, reference }
  const { receiptId } = await relyntClient.requestAction({
    action: RALIO_PAY_ACTION,
    ...ralioPayRequest(payment),
  })
  await ralioClient.chat.send({
    message: `Pay 30.00 GBP to Acme Stationery for ${reference} [relynt:${receiptId}]`,
  })
  return receiptId
}

describe('x-relynt reconcile', () => {
  it('exits 0 and prints exactly the reconciliation with --json when every payment was authorised', async () => {
    const since = new Date().toISOString()
    const receiptId = await authorisedPayment('cli one')
    const until = new Date().toISOString()
    const result = await run('x-relynt', ['reconcile', '--since', since, '--until', until, '--json'], env)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const output = JSON.parse(result.stdout)
    expect(Object.keys(output)).toEqual(['matched', 'unauthorised', 'notExecuted', 'mismatched'])
    expect(output).toMatchObject({
      matched: [
        { receiptId, amount: '30.00', currency: 'GBP', link: 'reference', reason: 'paid as authorised' },
      ],
      unauthorised: [],
      notExecuted: [],
      mismatched: [],
    })
  })

  it('exits 6 on a payment made around the gateway, and shows it in the table', async () => {
    await authorisedPayment('cli two')
    await ralioClient.chat.send({ message: 'Pay 99.00 GBP to Initech for around the gateway' })
    const result = await run('x-relynt', ['reconcile', '--since', '10m'], env)
    expect(result.code).toBe(6)
    expect(result.stdout).toMatch(/UNAUTHORISED.*99\.00 GBP.*Initech/)
    expect(result.stdout).toMatch(/matched.*30\.00 GBP.*Acme Stationery/)
    expect(result.stderr).toMatch(/1 unauthorised/)
  })

  it('exits 2 on a --since that is neither a duration nor a time', async () => {
    const result = await run('x-relynt', ['reconcile', '--since', 'last tuesday'], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--since must be a duration such as 24h or an ISO 8601 instant/)
  })
})
