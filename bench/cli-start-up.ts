import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type BenchOptions, type BenchSection, table } from './support/bench-section.ts'
import { compareRounds } from './support/compare-rounds.ts'
import { formatFigure, median } from './support/statistics.ts'
import { repositoryRoot } from './support/workspace.ts'

const run = promisify(execFile)
const targetRatio = 1.5
const reportCpu = join(repositoryRoot, 'bench/support/report-cpu-at-exit.cjs')

/**
 * `x-ralio --help` (the installed bin file, run by the same Node) against a bare
 * `node -e 0`: what the command adds to starting Node. Each round spawns each side a few
 * times and keeps the median, the two sides back to back in alternating order.
 */
export async function benchCliStartUp(options: BenchOptions): Promise<BenchSection> {
  const rounds = options.quick ? 5 : 15
  const spawnsPerRound = options.quick ? 3 : 5
  const bin = join(repositoryRoot, 'packages/cli/bin/x-ralio.js')
  const spawnOnce = async (args: string[]) => {
    const started = performance.now()
    const { stderr } = await run(process.execPath, ['--require', reportCpu, ...args])
    const cpuMs = Number(/cpu-ms=([\d.]+)\s*$/.exec(stderr)?.[1])
    return { wallMs: performance.now() - started, cpuMs }
  }
  const round = (args: string[]) => async () => {
    const spawns: { wallMs: number; cpuMs: number }[] = []
    for (let spawn = 0; spawn < spawnsPerRound; spawn++) spawns.push(await spawnOnce(args))
    return {
      startUpMs: median(spawns.map((spawn) => spawn.wallMs)),
      cpuMs: median(spawns.map((spawn) => spawn.cpuMs)),
    }
  }
  const comparison = await compareRounds({
    rounds,
    warmupRounds: 1,
    higherIsBetter: { startUpMs: false, cpuMs: false },
    sdk: { name: 'x-ralio --help', round: round([bin, '--help']) },
    floor: { name: 'node -e 0', round: round(['-e', '0']) },
  })
  const ratio = comparison.cost.startUpMs
  const cpuRatio = comparison.cost.cpuMs
  const markdown = [
    `Method: ${rounds} rounds after a warm-up round; in each round \`node packages/cli/bin/x-ralio.js --help\` and a bare ` +
      `\`node -e 0\` are each spawned ${spawnsPerRound} times back to back (order alternating between rounds), and each ` +
      'side’s median spawn-to-exit time, and median CPU time of the child (user + system, reported at exit by a ' +
      'preloaded hook both sides share), are that round’s figures. Ratios are paired per round; the CPU ratio is the ' +
      'steadier one on a busy machine. `--help` loads no SDK: each command’s code is a chunk imported only when it runs.',
    '',
    table(
      ['command', 'spawn to exit ms (range)', 'CPU ms (range)'],
      [
        [
          '`x-ralio --help`',
          formatFigure(comparison.sdk.startUpMs, 1),
          formatFigure(comparison.sdk.cpuMs, 1),
        ],
        ['`node -e 0`', formatFigure(comparison.floor.startUpMs, 1), formatFigure(comparison.floor.cpuMs, 1)],
      ],
    ),
    '',
    `Ratio (x-ralio --help / node -e 0): spawn to exit ${formatFigure(ratio)}, CPU ${formatFigure(cpuRatio)}.`,
  ].join('\n')
  const met = ratio.median <= targetRatio
  return {
    title: 'Command line: start-up',
    markdown,
    targets: [
      {
        name: 'x-ralio --help start-up against a bare node -e 0',
        target: `spawn-to-exit ratio ≤ ${targetRatio.toFixed(2)}`,
        measured: formatFigure(ratio),
        met,
        note: `${met ? '' : `missed by ${(ratio.median - targetRatio).toFixed(2)}; profile \`node --cpu-prof packages/cli/bin/x-ralio.js --help\` for what loads before the help is printed. `}CPU-time ratio ${formatFigure(cpuRatio)}`,
      },
    ],
  }
}
