import { ralioWorkload } from './ralio-workload.ts'
import { relyntWorkload } from './relynt-workload.ts'
import type { SoakConfig, WorkloadReport } from './soak-config.ts'

// The soak's client side, in its own process so that leaks show: after close() this
// process must exit by itself (no socket, timer or stream left open). Started by soak.ts
// with --expose-gc; prints its report as the last line on stdout.
const config = JSON.parse(process.argv[2] ?? '') as SoakConfig
const gc = globalThis.gc
if (gc === undefined) throw new Error('run with --expose-gc')
const unhandledRejections: string[] = []
process.on('unhandledRejection', (reason) => {
  unhandledRejections.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason))
})

const started = performance.now()
const ralio = ralioWorkload(config.ralio, config.runId)
const relynt = relyntWorkload(config.relynt)

// Warm-up: code paths, tokens and connection pools settle before the heap baseline.
const warmup = await Promise.all([
  ralio.run(0, config.ralio.warmupChats),
  relynt.run(config.relynt.warmupCalls),
])
gc()
const heapBefore = process.memoryUsage().heapUsed
const [chats, actions] = await Promise.all([
  ralio.run(config.ralio.warmupChats, config.ralio.chats - config.ralio.warmupChats),
  relynt.run(config.relynt.calls - config.relynt.warmupCalls),
])
gc()
const heapAfter = process.memoryUsage().heapUsed
ralio.close()
relynt.close()

const report: WorkloadReport = {
  chats: [...warmup[0], ...chats],
  listCalls: ralio.listCalls,
  listFailures: ralio.listFailures,
  actions: [...warmup[1], ...actions],
  unhandledRejections,
  heapBeforeMb: heapBefore / 2 ** 20,
  heapAfterMb: heapAfter / 2 ** 20,
  seconds: (performance.now() - started) / 1000,
}
process.stdout.write(`${JSON.stringify(report)}\n`)
