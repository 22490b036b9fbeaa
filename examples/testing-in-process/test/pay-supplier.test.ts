import { MemoryCredentialStore, RalioClient, RalioConnectionError, register } from '@x/ralio'
import { RelyntClient } from '@x/relynt'
import { type RalioSandbox, type RelyntSandbox, startRalioSandbox, startRelyntSandbox } from '@x/sandbox'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { paySupplier } from '../src/pay-supplier.js'

// Both sandboxes answer in this process: `listen: false` opens no port, and each client
// gets the sandbox's `fetch` with its `url` (an https origin nothing else answers for).
let ralioSandbox: RalioSandbox
let relyntSandbox: RelyntSandbox
let ralio: RalioClient
let relynt: RelyntClient

beforeEach(async () => {
  ralioSandbox = await startRalioSandbox({ listen: false })
  relyntSandbox = await startRelyntSandbox({ listen: false })

  // A memory store: a test writes nothing to disk.
  const credentialStore = new MemoryCredentialStore()
  await register({
    ticket: ralioSandbox.mintTicket().ticket,
    baseUrl: ralioSandbox.url,
    fetch: ralioSandbox.fetch,
    credentialStore,
  })
  ralio = new RalioClient({ baseUrl: ralioSandbox.url, fetch: ralioSandbox.fetch, credentialStore })

  const { agentId, secret } = relyntSandbox.createAgent()
  relynt = new RelyntClient({
    baseUrl: relyntSandbox.url,
    fetch: relyntSandbox.fetch,
    agentId,
    agentSecret: secret,
    logger: 'off',
  })
})

afterEach(async () => {
  ralio.close()
  relynt.close()
  await Promise.all([ralioSandbox.close(), relyntSandbox.close()])
})

const northwind = { supplier: 'northwind', payee: 'Northwind', amount: 250, reference: 'INV-1' }

it('pays an allowed supplier once and returns a receipt that verifies', async () => {
  const outcome = await paySupplier({ ralio, relynt }, northwind)

  expect(outcome).toMatchObject({ status: 'paid', reply: expect.stringMatching(/£250\.00 to Northwind/) })
  expect(await relynt.receipts.verify(outcome.receiptId)).toBe(true)
  expect(ralioSandbox.listPaymentIntents()).toHaveLength(1)
})

it('never asks the agent to pay a payee the policy blocks', async () => {
  const outcome = await paySupplier({ ralio, relynt }, { ...northwind, supplier: 'blocked-shellco' })

  expect(outcome).toMatchObject({ status: 'refused', receiptId: expect.any(String) })
  expect(ralioSandbox.stats().chats).toEqual([])
})

it('survives a dropped connection to the gateway: the retry replays the decision, one receipt', async () => {
  relyntSandbox.injectFault({ route: 'POST /v1/agent-tool-call', dropConnection: true, after: true })

  const outcome = await paySupplier({ ralio, relynt }, northwind)

  expect(outcome.status).toBe('paid')
  expect(relyntSandbox.stats()).toMatchObject({ gatewayCalls: 2, replays: 1, receipts: 1 })
})

it('reports a payment stream cut mid-way as a connection error and does not pay twice', async () => {
  ralioSandbox.injectFault({ route: 'POST /api/chat/stream', cutStreamAfterEvents: 2 })

  const failure = await paySupplier({ ralio, relynt }, northwind).catch((error: unknown) => error)

  expect(RalioConnectionError.isInstance(failure)).toBe(true)
  expect(ralioSandbox.listPaymentIntents()).toHaveLength(1)
})
