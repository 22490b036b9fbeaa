import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { startRalioSandbox, startRelyntSandbox } from '@x/sandbox'
import { approverLoop } from './soak/approver-loop.ts'
import { type FaultMenu, startFaultChaos } from './soak/fault-chaos.ts'
import { clusterChecks, ralioChecks, relyntChecks, type SoakCheck } from './soak/soak-checks.ts'
import type { ClusterConfig, ClusterReport, SoakConfig, WorkloadReport } from './soak/soak-config.ts'
import { registerRalioBinding, removeRalioBindings } from './support/ralio-binding.ts'
import { workspaceExecArgv } from './support/workspace.ts'

// `pnpm test:soak` (`--quick` in CI): a bounded load-and-fault run of both SDKs against
// the sandboxes on loopback. The sandboxes live here; the clients run in a child process
// that must exit by itself once closed. Exits 0 only when every check holds.
const quick = process.argv.includes('--quick')
const started = performance.now()
const runId = randomUUID().slice(0, 8)
const limits = quick
  ? { chats: 150, warmupChats: 12, paceMs: 8_000, calls: 7_000, warmupCalls: 400, deadlineMs: 180_000 }
  : { chats: 200, warmupChats: 16, paceMs: 10_000, calls: 10_000, warmupCalls: 500, deadlineMs: 600_000 }
/** Processes sharing the registered folder, as one service's workers would, and their load. */
const cluster = quick
  ? { processes: 3, requests: 60, paceMs: 300 }
  : { processes: 4, requests: 160, paceMs: 400 }
/** After close(), the workload process must be gone within this. */
const exitDeadlineMs = 5_000
/** Heap growth from after the warm-up to the end (outcome records included). */
const heapLimitMb = 24

const retryAfter = { 'retry-after': '1' }
const ralioFaults: FaultMenu = {
  'POST /api/chat': [
    null,
    { status: 502, after: true, probability: 0.15 },
    { status: 429, headers: retryAfter, probability: 0.2 },
    { dropConnection: true, after: true, probability: 0.1 },
    { status: 503, probability: 0.1 },
  ],
  'POST /api/chat/stream': [
    null,
    { cutStreamAfterEvents: 2, probability: 0.3 },
    { status: 429, headers: retryAfter, probability: 0.2 },
    { status: 502, after: true, probability: 0.1 },
  ],
  'GET /api/*': [
    null,
    { status: 429, headers: retryAfter, probability: 0.15 },
    { status: 503, probability: 0.15 },
    { dropConnection: true, probability: 0.05 },
  ],
  'POST /oauth/token': [
    null,
    { status: 429, headers: retryAfter, probability: 0.1 },
    { status: 503, probability: 0.1 },
  ],
}
const relyntFaults: FaultMenu = {
  'POST /v1/agent-tool-call': [
    null,
    { status: 503, probability: 0.1 },
    { status: 503, after: true, probability: 0.1 },
    { dropConnection: true, probability: 0.05 },
    { dropConnection: true, after: true, probability: 0.05 },
  ],
  'GET /v1/approvals/*': [
    null,
    { status: 503, probability: 0.2 },
    { dropConnection: true, probability: 0.1 },
  ],
}

const connectorCalls = new Map<string, number>()
const ralio = await startRalioSandbox()
const relynt = await startRelyntSandbox({
  connector: async (call) => {
    connectorCalls.set(call.idempotency_key, (connectorCalls.get(call.idempotency_key) ?? 0) + 1)
    return { paid: true, invoice: call.payload.invoice }
  },
  policy: {
    version: 'soak-1',
    rules: [
      { action: '*', resource_pattern: 'payment:supplier:blocked-*', decision: 'deny', risk_level: 'high' },
      {
        action: 'pay_supplier',
        resource_pattern: 'payment:supplier:*',
        decision: 'allow',
        risk_level: 'medium',
        conditions: { max_amount_change: 1000 },
      },
    ],
  },
})

let exitCode = 1
try {
  const binding = await registerRalioBinding(ralio.url, ralio.mintTicket().ticket)
  const agent = relynt.createAgent({ name: 'soak' })
  // Tokens expire every few seconds and nonces rotate under the clients' feet.
  ralio.setTokenLifetime(3)
  ralio.setNonceMode({ enabled: true, rotateEveryMs: 1500 })
  const config: SoakConfig = {
    runId,
    ralio: {
      baseUrl: ralio.url,
      clientId: binding.clientId,
      privateKeyPath: binding.keyPath,
      clients: 32,
      chats: limits.chats,
      warmupChats: limits.warmupChats,
      paceMs: limits.paceMs,
    },
    relynt: {
      baseUrl: relynt.url,
      agentId: agent.agentId,
      secret: agent.secret,
      clients: 16,
      calls: limits.calls,
      warmupCalls: limits.warmupCalls,
      approvalShare: 0.02,
      denyShare: 0.05,
    },
  }
  const ralioChaos = startFaultChaos(ralio, ralioFaults, 400)
  const relyntChaos = startFaultChaos(relynt, relyntFaults, 400)
  const approver = approverLoop(relynt, 150)
  const [workload, clusterReports] = await Promise.all([
    runWorkload(config),
    Promise.all(
      Array.from({ length: cluster.processes }, (_, index) =>
        runClusterProcess({
          index,
          baseUrl: ralio.url,
          configDir: binding.configDir,
          refreshTokenPath: join(binding.configDir, 'refresh-tokens', `worker-${index}`),
          requests: cluster.requests,
          paceMs: cluster.paceMs,
        }),
      ),
    ),
  ])
  ralioChaos.stop()
  relyntChaos.stop()
  await approver.stop()

  const checks: SoakCheck[] = []
  if (workload.report === undefined) {
    checks.push({
      name: 'workload finished and reported',
      ok: false,
      detail: workload.problem ?? 'no report',
    })
  } else {
    const { report } = workload
    checks.push(...ralioChecks(report, ralio.stats(), runId))
    checks.push(...clusterChecks(clusterReports, ralio.stats()))
    checks.push(...relyntChecks(report, relynt, connectorCalls))
    checks.push({
      name: 'no unhandled rejection',
      ok: report.unhandledRejections.length === 0,
      detail:
        report.unhandledRejections.length === 0 ? '0' : report.unhandledRejections.slice(0, 3).join('; '),
    })
    const growth = report.heapAfterMb - report.heapBeforeMb
    checks.push({
      name: 'memory flat',
      ok: growth <= heapLimitMb,
      detail: `heap ${report.heapBeforeMb.toFixed(1)} MB after warm-up → ${report.heapAfterMb.toFixed(1)} MB at the end (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB, limit ${heapLimitMb})`,
    })
    printFigures(report, clusterReports, ralioChaos.schedule, relyntChaos.schedule, approver.decisions)
  }
  checks.push({
    name: 'client process exits by itself after close()',
    ok: workload.exitedMs !== undefined,
    detail:
      workload.exitedMs === undefined
        ? `still running ${exitDeadlineMs} ms after close(): a socket, timer or stream was left open`
        : `exited ${workload.exitedMs.toFixed(0)} ms after its report`,
  })

  const width = Math.max(...checks.map((check) => check.name.length))
  process.stdout.write(`\nsoak${quick ? ' (quick)' : ''} checks\n`)
  for (const check of checks) {
    process.stdout.write(`  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.detail}\n`)
  }
  const failed = checks.filter((check) => !check.ok).length
  process.stdout.write(
    `\nsoak: ${failed === 0 ? 'passed' : `${failed} check(s) FAILED`} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  )
  exitCode = failed === 0 ? 0 : 1
} finally {
  await Promise.all([ralio.close(), relynt.close()])
  await removeRalioBindings()
}
process.exitCode = exitCode

interface WorkloadResult {
  report?: WorkloadReport
  /** Time from the report to the process's exit, if it exited within the deadline. */
  exitedMs?: number
  problem?: string
}

async function runWorkload(config: SoakConfig): Promise<WorkloadResult> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...workspaceExecArgv,
      fileURLToPath(new URL('./soak/soak-workload.ts', import.meta.url)),
      JSON.stringify(config),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const result: WorkloadResult = {}
  let reportedAt: number | undefined
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return void process.stdout.write(`  workload: ${line}\n`)
    result.report = JSON.parse(line) as WorkloadReport
    reportedAt = performance.now()
  })
  const overall = setTimeout(() => {
    result.problem = `the workload did not finish within ${limits.deadlineMs / 1000} s`
    child.kill('SIGKILL')
  }, limits.deadlineMs)
  // Once the report is in, the process has closed its clients: give it the exit deadline.
  const watch = setInterval(() => {
    if (reportedAt !== undefined && performance.now() - reportedAt > exitDeadlineMs) child.kill('SIGKILL')
  }, 100)
  const code = await exited
  const exitedAt = performance.now()
  clearTimeout(overall)
  clearInterval(watch)
  if (reportedAt !== undefined && exitedAt - reportedAt <= exitDeadlineMs && code === 0) {
    result.exitedMs = exitedAt - reportedAt
  }
  if (result.report === undefined && result.problem === undefined)
    result.problem = `the workload exited with code ${code}`
  return result
}

/** One process of the cluster sharing the folder; its report, or undefined when it printed none. */
async function runClusterProcess(config: ClusterConfig): Promise<ClusterReport | undefined> {
  const child = spawn(
    process.execPath,
    [
      ...workspaceExecArgv,
      fileURLToPath(new URL('./soak/cluster-workload.ts', import.meta.url)),
      JSON.stringify(config),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let report: ClusterReport | undefined
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) report = JSON.parse(line) as ClusterReport
    else process.stdout.write(`  cluster ${config.index}: ${line}\n`)
  })
  const overall = setTimeout(() => child.kill('SIGKILL'), limits.deadlineMs)
  await new Promise((resolve) => child.once('exit', resolve))
  clearTimeout(overall)
  return report
}

function printFigures(
  report: WorkloadReport,
  clusterReports: (ClusterReport | undefined)[],
  ralioSchedule: Map<string, number>,
  relyntSchedule: Map<string, number>,
  decisions: { approved: number; denied: number; failed: number },
) {
  const stats = ralio.stats()
  const relyntStats = relynt.stats()
  const count = (values: string[]) => {
    const counts = new Map<string, number>()
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
    return [...counts].map(([value, n]) => `${value} ${n}`).join(', ') || 'none'
  }
  const lines = [
    `workload ${report.seconds.toFixed(1)} s`,
    `ralio: ${report.chats.length} chats over 32 clients: ${report.chats.filter((chat) => chat.ok).length} succeeded; failures: ${count(report.chats.filter((chat) => !chat.ok).map((chat) => `${chat.mode}:${chat.error}${chat.code ? `(${chat.code})` : ''}`))}`,
    `ralio: ${report.listCalls} transactions.list calls, failures: ${count(report.listFailures.map((failure) => failure.error))}`,
    `ralio cluster: ${clusterReports.length} processes × 2 clients on one registered folder: ${clusterReports.reduce((sum, cluster) => sum + (cluster?.requests ?? 0), 0)} requests, failures: ${count(clusterReports.flatMap((cluster) => cluster?.failures.map((failure) => `${failure.error}(${failure.code})`) ?? []))}`,
    `ralio sandbox: ${stats.chats.length} chats received, ${stats.paymentIntents.length} payment intents, ${stats.tokenRequests} token requests (${stats.tokensIssued} issued, ${stats.refreshes} refreshes, ${stats.familyRevocations} family revocations), ${stats.resourceRequests} resource requests`,
    `relynt: ${report.actions.length} calls over 16 clients: decisions ${count(report.actions.filter((action) => action.ok).map((action) => action.decision ?? '?'))}; approvals ${count(report.actions.flatMap((action) => (action.approvalStatus ? [action.approvalStatus] : [])))}; failures: ${count(report.actions.filter((action) => !action.ok).map((action) => `${action.error}${action.code ? `(${action.code})` : ''}`))}`,
    `relynt sandbox: ${relyntStats.gatewayCalls} gateway calls, ${relyntStats.replays} idempotent replays, ${relyntStats.conflicts} conflicts, ${relyntStats.receipts} receipts, ${relyntStats.connectorCalls} connector calls; approver: ${decisions.approved} approved, ${decisions.denied} denied, ${decisions.failed} failed`,
    'faults put in force (times, each for 400 ms):',
    ...[...ralioSchedule, ...relyntSchedule].map(([kind, times]) => `  ${kind}: ${times}`),
  ]
  process.stdout.write(
    `\nsoak${quick ? ' (quick)' : ''} figures\n${lines.map((line) => `  ${line}`).join('\n')}\n`,
  )
}
