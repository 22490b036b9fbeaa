// Shows which versions this application runs and makes one call with each SDK against
// local sandboxes.
import { createRequire } from 'node:module'
import { MemoryCredentialStore, RalioClient, VERSION as ralioVersion, register } from '@x/ralio'
import { RelyntClient, VERSION as relyntVersion } from '@x/relynt'
import { startRalioSandbox, startRelyntSandbox } from '@x/sandbox'

// Each SDK's own @x/core, resolved from where that SDK is installed.
const require = createRequire(import.meta.url)
const coreVersionOf = (sdk) => createRequire(require.resolve(sdk))('@x/core/package.json').version

console.log(`@x/ralio  ${ralioVersion} (on @x/core ${coreVersionOf('@x/ralio')})`)
console.log(`@x/relynt ${relyntVersion} (on @x/core ${coreVersionOf('@x/relynt')})`)

const ralioSandbox = await startRalioSandbox()
const relyntSandbox = await startRelyntSandbox()
try {
  // Credentials in memory: nothing is written to ~/.ralio.
  const credentialStore = new MemoryCredentialStore()
  await register({ ticket: ralioSandbox.mintTicket().ticket, baseUrl: ralioSandbox.url, credentialStore })
  const ralio = new RalioClient({ baseUrl: ralioSandbox.url, credentialStore })
  const { reply } = await ralio.chat.send({ message: 'Pay £9.99 to Carol for a notebook' })
  ralio.close()
  console.log(`Ralio:  ${reply}`)

  const { agentId, secret } = relyntSandbox.createAgent()
  const relynt = new RelyntClient({ baseUrl: relyntSandbox.url, agentId, agentSecret: secret })
  const result = await relynt.requestAction({ action: 'close_ticket', resource: 'support:ticket:42' })
  const verifies = await relynt.receipts.verify(result.receiptId)
  relynt.close()
  console.log(`Relynt: ${result.decision}, receipt ${result.receiptId} verifies: ${verifies}`)
} finally {
  await Promise.all([ralioSandbox.close(), relyntSandbox.close()])
}
