import { guardedTool } from '@x/agent-tools'
import { RelyntClient } from '@x/relynt'
import * as z from 'zod/mini'

// Run with --expose-gc by many-waits.ts, one process per size so each starts clean. Holds
// `count` waits open against the Relynt sandbox (pollApproval waits, or guarded tool calls
// waiting for a person) for `windowMs`, then has every approval approved and checks what is
// left running once the waits end. Prints one JSON line.
const [kind, countText, windowText, baseUrl, adminToken] = process.argv.slice(2) as [
  'poll' | 'guard',
  string,
  string,
  string,
  string,
]
const count = Number(countText)
const windowMs = Number(windowText)
const gc = globalThis.gc
if (gc === undefined) throw new Error('run with --expose-gc')

// Only what the client does, never the admin calls: the admin uses its own connections.
let polls = 0
const countingFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input)
  if (url.includes('/v1/approvals/')) polls++
  return fetch(input, init)
}
const admin = async (method: string, path: string, body?: unknown) => {
  const send = () =>
    fetch(`${baseUrl}/__admin${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  // A keep-alive connection the server closed as it was reused: nothing reached the server.
  const response = await send().catch(send)
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} /__admin${path} answered ${response.status}: ${text}`)
  return text === '' ? undefined : JSON.parse(text)
}
/** Runs `task` for 0..n-1 with at most `limit` in flight. */
const inBatches = async (n: number, limit: number, task: (index: number) => Promise<unknown>) => {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await task(next++)
    }),
  )
}
const resources = () => {
  const counts: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1
  return { timers: counts.Timeout ?? 0, sockets: counts.TCPSocketWrap ?? 0 }
}

const agent = (await admin('POST', '/agents', { name: `many-waits-${kind}-${count}` })) as {
  agent_id: string
  secret: string
}
const client = new RelyntClient({
  baseUrl,
  agentId: agent.agent_id,
  agentSecret: agent.secret,
  fetch: countingFetch,
})
// Refunds always need a person in the sandbox's default policy.
const refund = (index: number) => ({
  action: 'refund_payment',
  resource: `payment:pi_${kind}_${count}_${index}`,
})

const approvalIds: string[] = []
if (kind === 'poll') {
  await inBatches(count, 64, async (index) => {
    const result = await client.requestAction(refund(index))
    if (result.decision !== 'pending_approval' || result.approvalId === undefined)
      throw new Error(`expected pending_approval, got ${result.decision}`)
    approvalIds.push(result.approvalId)
  })
}
const tool = guardedTool(client, {
  name: 'refund_payment',
  description: 'Refunds a payment once a person approved it.',
  input: z.object({ index: z.number() }),
  action: 'refund_payment',
  resource: (input) => refund(input.index).resource,
  execute: (input) => ({ refunded: input.index }),
  approvalTimeoutMs: 600_000,
})

// Let the set-up's connections idle out, then take the baseline.
await new Promise((resolve) => setTimeout(resolve, 200))
gc()
gc()
const before = { rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed, ...resources() }
const cpuBefore = process.cpuUsage()
polls = 0
const started = performance.now()
let finished = 0
const waits =
  kind === 'poll'
    ? approvalIds.map((approvalId) =>
        client.pollApproval({ approvalId, timeoutMs: 600_000 }).then((approval) => {
          finished++
          if (approval.status !== 'approved') throw new Error(`expected approved, got ${approval.status}`)
        }),
      )
    : Array.from({ length: count }, (_, index) =>
        tool.run({ index }, { toolCallId: `call_${count}_${index}` }).then((outcome) => {
          finished++
          if (outcome.status !== 'allowed') throw new Error(`expected allowed, got ${outcome.status}`)
        }),
      )
let peakRss = 0
let peak = { timers: 0, sockets: 0 }
// When every wait had its first answer: how long the burst of first polls took to clear.
let settledSeconds: number | undefined
const sampler = setInterval(() => {
  if (settledSeconds === undefined && polls >= count) settledSeconds = (performance.now() - started) / 1000
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
  const now = resources()
  peak = { timers: Math.max(peak.timers, now.timers), sockets: Math.max(peak.sockets, now.sockets) }
}, 250)
await new Promise((resolve) => setTimeout(resolve, windowMs))
const windowSeconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
const pollsInWindow = polls
gc()
const during = { rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed, ...resources() }
clearInterval(sampler)
if (finished !== 0) throw new Error(`${finished} waits ended before anyone decided`)

// A person approves everything; each wait ends at its next poll (within the 5 s cap).
const { approvals: pending } = (await admin('GET', '/approvals?status=pending')) as {
  approvals: { approval_id: string }[]
}
const ending = performance.now()
await inBatches(pending.length, 32, (index) =>
  admin('POST', `/approvals/${(pending[index] as { approval_id: string }).approval_id}/approve`, {
    approver: 'bench',
  }),
)
await Promise.all(waits)
const endSeconds = (performance.now() - ending) / 1000
client.close()
const atEnd = resources()
// Keep-alive connections close once idle (the sandbox's server closes them after 5 s).
const releaseStarted = performance.now()
let released = resources()
while (
  (released.timers > before.timers || released.sockets > before.sockets) &&
  performance.now() - releaseStarted < 10_000
) {
  await new Promise((resolve) => setTimeout(resolve, 100))
  released = resources()
}
process.stdout.write(
  `${JSON.stringify({
    kind,
    count,
    windowSeconds,
    cpuMsPerSecond: (cpu.user + cpu.system) / 1000 / windowSeconds,
    pollsPerWait: pollsInWindow / count,
    // The peak over the window: after a GC the allocator may hand pages back below the
    // baseline, which made small sizes read negative.
    rssPerWaitKb: (Math.max(peakRss, during.rss) - before.rss) / 1024 / count,
    heapPerWaitKb: (during.heap - before.heap) / 1024 / count,
    peakRssGrowthMb: (Math.max(peakRss, during.rss) - before.rss) / 2 ** 20,
    before,
    peak,
    atEnd,
    released,
    releaseSeconds: (performance.now() - releaseStarted) / 1000,
    endSeconds,
    settledSeconds,
  })}\n`,
)
