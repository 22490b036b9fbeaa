import { setTimeout as sleep } from 'node:timers/promises'
import { RalioClient, RalioError } from '@x/ralio'
import type { ClusterConfig, ClusterReport } from './soak-config.ts'

// One process of a service running N processes on one Ralio binding: it reads the folder
// register() wrote (client id and key, shared), and keeps its own refresh-token family —
// the first client in memory, the second in a refresh-token file of its own, as a worker
// that survives restarts would; halfway through, that client is restarted and carries on
// with the family it persisted. Started by soak.ts; prints its report as its last line.
const config = JSON.parse(process.argv[2] ?? '') as ClusterConfig
const persisted = () =>
  new RalioClient({
    baseUrl: config.baseUrl,
    configDir: config.configDir,
    refreshTokenPath: config.refreshTokenPath,
  })
const clients = [new RalioClient({ baseUrl: config.baseUrl, configDir: config.configDir }), persisted()]
const report: ClusterReport = { process: config.index, requests: 0, failures: [] }
await Promise.all(
  clients.map(async (first, clientIndex) => {
    let client = first
    let restarted = clientIndex === 0
    for (let index = clientIndex; index < config.requests; index += clients.length) {
      if (!restarted && index >= config.requests / 2) {
        restarted = true
        client.close()
        client = persisted()
        clients[clientIndex] = client
      }
      report.requests++
      try {
        if (index % 2 === 0) await client.agents.list()
        else await client.transactions.list({ perPage: 5 })
      } catch (error) {
        report.failures.push({
          error: error instanceof Error ? error.name : typeof error,
          code: String((error as { code?: unknown }).code ?? ''),
          statusCode: (error as { statusCode?: number }).statusCode,
          typed: RalioError.isInstance(error),
        })
      }
      await sleep(Math.random() * 2 * config.paceMs)
    }
  }),
)
for (const client of clients) client.close()
process.stdout.write(`${JSON.stringify(report)}\n`)
