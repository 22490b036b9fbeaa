import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type BenchOptions, type BenchSection, type TargetCheck, table } from './support/bench-section.ts'
import type { SandboxProcess } from './support/sandbox-process.ts'
import { workspaceExecArgv } from './support/workspace.ts'

interface Resources {
  timers: number
  sockets: number
}

/** What many-waits-child.ts prints. */
interface WaitRun {
  kind: 'poll' | 'guard'
  count: number
  windowSeconds: number
  cpuMsPerSecond: number
  pollsPerWait: number
  rssPerWaitKb: number
  heapPerWaitKb: number
  peakRssGrowthMb: number
  before: Resources
  peak: Resources
  atEnd: Resources
  released: Resources
  releaseSeconds: number
  endSeconds: number
  /** Seconds until every wait had sent its first poll, if that happened within the window. */
  settledSeconds?: number
}

/** Polls one wait makes in its first `seconds` by the documented backoff (1 s × 1.5ⁿ, capped at 5 s), the first at once. */
export function documentedPolls(seconds: number): number {
  // As the README states it, not read from the code under test.
  const delay = (attempt: number) => Math.min(5_000, 1_000 * 1.5 ** (attempt - 1))
  let polls = 0
  for (let at = 0, attempt = 1; at <= seconds * 1000; at += delay(attempt++)) polls++
  return polls
}

const label = { poll: '`pollApproval` waits', guard: 'guarded tool calls waiting for approval' }

/**
 * Many agents waiting at once: `count` concurrent `pollApproval` waits (and, separately,
 * guarded tool calls of @x/agent-tools waiting for a person) against the Relynt sandbox,
 * each size in a fresh child process, for a fixed window; then every approval is approved
 * and the child checks that each timer and socket the waits held is released.
 */
export async function benchManyWaits(sandbox: SandboxProcess, options: BenchOptions): Promise<BenchSection> {
  const windowMs = options.quick ? 6_000 : 15_000
  // 10 000 waits take minutes of set-up and approval on two shared cores: the full run only.
  const plan: ['poll' | 'guard', number][] = [
    ['poll', 100],
    ['poll', 1_000],
    ...(options.quick ? [] : [['poll', 10_000] as ['poll', number]]),
    ['guard', 100],
    ['guard', 1_000],
  ]
  const runs: WaitRun[] = []
  for (const [kind, count] of plan) runs.push(await runWaits(sandbox, kind, count, windowMs))

  const rows = runs.map((run) => {
    const documented = documentedPolls(run.windowSeconds)
    return [
      label[run.kind],
      run.count.toLocaleString('en-GB'),
      run.rssPerWaitKb.toFixed(1),
      run.heapPerWaitKb.toFixed(1),
      run.cpuMsPerSecond.toFixed(0),
      `${((run.pollsPerWait / run.windowSeconds) * 60).toFixed(1)} (documented ${((documented / run.windowSeconds) * 60).toFixed(1)})`,
      run.settledSeconds === undefined ? 'not within the window' : `${run.settledSeconds.toFixed(1)} s`,
      `${run.peak.timers} / ${run.peak.sockets}`,
      `${run.released.timers - run.before.timers} / ${run.released.sockets - run.before.sockets} after ${run.releaseSeconds.toFixed(1)} s`,
    ]
  })
  const growth = (kind: 'poll' | 'guard') => {
    const sized = runs.filter((run) => run.kind === kind)
    const first = sized[0] as WaitRun
    const last = sized[sized.length - 1] as WaitRun
    const factor = last.count / first.count
    return (
      `${label[kind]}: from ${first.count.toLocaleString('en-GB')} to ${last.count.toLocaleString('en-GB')} (×${factor}), ` +
      `RSS ×${(last.peakRssGrowthMb / Math.max(0.1, first.peakRssGrowthMb)).toFixed(1)} ` +
      `(${first.peakRssGrowthMb.toFixed(1)} → ${last.peakRssGrowthMb.toFixed(1)} MB; ${first.rssPerWaitKb.toFixed(0)} → ${last.rssPerWaitKb.toFixed(0)} KB a wait), ` +
      `CPU per second ×${(last.cpuMsPerSecond / Math.max(0.1, first.cpuMsPerSecond)).toFixed(1)} ` +
      `(${((first.cpuMsPerSecond / first.count) * 1000).toFixed(0)} → ${((last.cpuMsPerSecond / last.count) * 1000).toFixed(0)} ms a second per 1,000 waits), ` +
      `polls per wait ×${(last.pollsPerWait / first.pollsPerWait).toFixed(2)}`
    )
  }
  const largestPolls = Math.max(...runs.filter((run) => run.kind === 'poll').map((run) => run.count))
  const markdown = [
    `Method: for each size, a fresh child process (\`--expose-gc\`) creates an agent on the Relynt sandbox (its own process, loopback HTTP) and, for \`pollApproval\`, that many pending approvals ` +
      '(`refund_payment` always needs a person in the default policy); it then collects garbage, takes a baseline (RSS, heap, active timers and sockets, CPU time), starts every wait at once ' +
      `and lets them wait ${windowMs / 1000} s. RSS per wait is the highest RSS over that window (sampled every 250 ms) less the baseline; heap per wait is measured after a GC at the end of the window; both are divided by the waits. CPU is the child's user + system time over the window, ` +
      "so it includes answering nothing but the client's own polls and parsing their responses. Poll requests are counted at the client's `fetch`. " +
      'Then every pending approval is approved through the admin API, each wait ends at its next poll, the client is closed, and the child watches the active timers and sockets until they are back at the baseline ' +
      "(keep-alive connections close when the sandbox's server idles them out, 5 s). Guarded tool calls are @x/agent-tools `guardedTool` calls in the default `pending: 'wait'` mode: `requestAction`, then `pollApproval`, then `execute` once approved.",
    '',
    'Every wait starts at once, so the first polls arrive as one burst the sandbox answers in turn; a wait that got its first answer late polls less in the window than the backoff allows, never more. ' +
      'Documented backoff: the first poll at once, then 1 s, 1.5 s, 2.25 s, 3.4 s and every 5 s after (a steady 12 polls a minute); over a short window the early, quicker polls weigh more, so polls per minute are compared with the backoff over the same window.',
    '',
    table(
      [
        'waits',
        'concurrent',
        'RSS per wait KB',
        'heap per wait KB',
        'CPU ms per s',
        'polls per wait per minute',
        'first polls all sent after',
        'peak timers / sockets',
        'timers / sockets left over baseline',
      ],
      rows,
    ),
    '',
    `How it grows: ${growth('poll')}; ${growth('guard')}. ` +
      `CPU follows the poll traffic: at the documented steady rate of 12 polls a minute, ` +
      `${largestPolls.toLocaleString('en-GB')} waits make ${(largestPolls / 5).toLocaleString('en-GB')} poll requests a second, each a request and a parsed answer, ` +
      'so a process holding that many waits spends most of a core polling. The backoff, not the SDK, sets that cost.',
  ].join('\n')

  const targets: TargetCheck[] = []
  for (const kind of ['poll', 'guard'] as const) {
    const largest = runs.filter((run) => run.kind === kind).at(-1) as WaitRun
    const documented = documentedPolls(largest.windowSeconds)
    const ratio = largest.pollsPerWait / documented
    targets.push({
      name: `Many waits: ${largest.count.toLocaleString('en-GB')} ${label[kind]}, poll requests per wait vs the documented backoff`,
      target: 'measured/documented ≤ 1.00',
      measured: `${ratio.toFixed(2)} (${largest.pollsPerWait.toFixed(2)} vs ${documented} in ${largest.windowSeconds.toFixed(1)} s); ${largest.rssPerWaitKb.toFixed(1)} KB RSS and ${largest.cpuMsPerSecond.toFixed(0)} ms CPU per second while waiting`,
      met: ratio <= 1,
      ...(ratio <= 1
        ? {}
        : { note: 'a wait polled sooner than its backoff: check pollUntilDecided and Retry-After handling' }),
    })
  }
  const leaks = runs.filter(
    (run) => run.released.timers > run.before.timers || run.released.sockets > run.before.sockets,
  )
  targets.push({
    name: 'Many waits: every timer and socket released when the waits end',
    target: 'back to the baseline within 10 s of the last wait ending, every size',
    measured:
      leaks.length === 0
        ? `yes, for all ${runs.length} runs (slowest ${Math.max(...runs.map((run) => run.releaseSeconds)).toFixed(1)} s, keep-alive idling out)`
        : leaks
            .map(
              (run) =>
                `${run.count} ${run.kind}: +${run.released.timers - run.before.timers} timers, +${run.released.sockets - run.before.sockets} sockets`,
            )
            .join('; '),
    met: leaks.length === 0,
    ...(leaks.length === 0 ? {} : { note: 'something still holds a timer or a socket after close()' }),
  })
  return { title: 'Many waits: thousands of agents waiting for approval', markdown, targets }
}

async function runWaits(
  sandbox: SandboxProcess,
  kind: 'poll' | 'guard',
  count: number,
  windowMs: number,
): Promise<WaitRun> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      ...workspaceExecArgv,
      '--expose-gc',
      fileURLToPath(new URL('./many-waits-child.ts', import.meta.url)),
      kind,
      String(count),
      String(windowMs),
      sandbox.relyntUrl,
      sandbox.adminToken,
    ],
    { maxBuffer: 1 << 20, timeout: 300_000 },
  )
  return JSON.parse(stdout) as WaitRun
}
