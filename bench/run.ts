import { writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { benchBundleSize } from './bundle-size.ts'
import { benchCliStartUp } from './cli-start-up.ts'
import { benchColdStart } from './cold-start.ts'
import { benchManyWaits } from './many-waits.ts'
import { benchPeerTransport } from './peer-transport.ts'
import { benchPendingCallMemory } from './pending-call-memory.ts'
import { benchRalioRequestOverhead } from './ralio-request-overhead.ts'
import { benchReconcilePayments } from './reconcile-payments.ts'
import { benchRelyntRequestAction } from './relynt-request-action.ts'
import { benchStreamingThroughput } from './streaming-throughput.ts'
import { type BenchOptions, type BenchSection, table } from './support/bench-section.ts'
import { describeMachine } from './support/machine.ts'
import { removeRalioBindings } from './support/ralio-binding.ts'
import { type SandboxProcess, startSandboxProcess } from './support/sandbox-process.ts'
import { repositoryRoot } from './support/workspace.ts'

// `pnpm bench` (or `pnpm bench --quick`, `--only=<name>,…`, `--report=<file>`): runs every
// benchmark and writes bench/RESULTS.md (or the report file; with --only, prints the report).
// Figures are ratios against floors measured in the same run.
const options: BenchOptions = { quick: process.argv.includes('--quick') }
const reportPath =
  process.argv.find((argument) => argument.startsWith('--report='))?.slice('--report='.length) ??
  join(repositoryRoot, 'bench/RESULTS.md')
const only = process.argv
  .find((argument) => argument.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')

const benchmarks: { name: string; run: (sandbox: () => Promise<SandboxProcess>) => Promise<BenchSection> }[] =
  [
    { name: 'peers', run: () => benchPeerTransport(options) },
    { name: 'ralio', run: async (sandbox) => benchRalioRequestOverhead(await sandbox(), options) },
    { name: 'relynt', run: async (sandbox) => benchRelyntRequestAction(await sandbox(), options) },
    { name: 'streaming', run: async (sandbox) => benchStreamingThroughput(await sandbox(), options) },
    { name: 'many-waits', run: async (sandbox) => benchManyWaits(await sandbox(), options) },
    { name: 'cold-start', run: () => benchColdStart(options) },
    { name: 'cli', run: () => benchCliStartUp(options) },
    { name: 'bundle', run: () => benchBundleSize() },
    { name: 'reconcile', run: () => benchReconcilePayments(options) },
    { name: 'pending-calls', run: () => benchPendingCallMemory(options) },
  ]

const started = performance.now()
const machine = describeMachine()
const loadAtStart = loadavg()[0] ?? 0
// Started on first use, so the benchmarks that need no server run without one.
let running: Promise<SandboxProcess> | undefined
const sandbox = () => {
  running ??= startSandboxProcess()
  return running
}
const sections: BenchSection[] = []
try {
  for (const benchmark of benchmarks) {
    if (only !== undefined && !only.includes(benchmark.name)) continue
    const benchmarkStarted = performance.now()
    process.stdout.write(`bench: ${benchmark.name}…`)
    const section = await benchmark.run(sandbox)
    sections.push(section)
    process.stdout.write(` ${((performance.now() - benchmarkStarted) / 1000).toFixed(1)} s\n`)
    for (const target of section.targets) {
      process.stdout.write(
        `  ${target.met ? 'met   ' : 'MISSED'} ${target.name}: ${target.measured} (target ${target.target})\n`,
      )
    }
  }
} finally {
  if (running !== undefined) await (await running).close()
  await removeRalioBindings()
}

const targets = sections.flatMap((section) => section.targets)
const report = [
  '# Benchmark results',
  '',
  `Written by \`pnpm bench${options.quick ? ' --quick' : ''}\` (bench/run.ts). Every target is a ratio against a floor measured in the same run on the same machine, never an absolute time. ` +
    'Figures are medians over rounds; the range over rounds follows in parentheses.',
  '',
  `The machine is shared with other work: its load average was ${loadAtStart.toFixed(1)} when the run started and ${(loadavg()[0] ?? 0).toFixed(1)} when it ended, on ${machine.cores} cores. ` +
    'Wide ranges are that noise, shown rather than hidden; a ratio near its target can land on either side of it from one run to the next.',
  '',
  table(
    ['machine', ''],
    [
      ['CPU', `${machine.cpu} (${machine.cores} cores)`],
      ['memory', `${machine.memoryGb} GB`],
      ['platform', machine.platform],
      ['Node', machine.node],
      ['date', machine.date],
      ['mode', options.quick ? 'quick (fewer rounds, smaller workloads)' : 'full'],
    ],
  ),
  '',
  '## Targets',
  '',
  table(
    ['target', 'goal', 'measured', 'result'],
    targets.map((target) => [
      target.name,
      target.target,
      target.measured,
      `${target.met ? 'met' : '**missed**'}${target.note ? ` — ${target.note}` : ''}`,
    ]),
  ),
  '',
  ...sections.flatMap((section) => [`## ${section.title}`, '', section.markdown, '']),
].join('\n')
if (only === undefined) await writeFile(reportPath, report)
else process.stdout.write(`\n${report}\n`)
process.stdout.write(
  `bench: done in ${((performance.now() - started) / 1000).toFixed(1)} s; ${targets.filter((target) => target.met).length}/${targets.length} targets met\n`,
)
