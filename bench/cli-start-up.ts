import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type BenchOptions, type BenchSection, table } from './support/bench-section.ts'
import { compareRounds } from './support/compare-rounds.ts'
import { formatFigure, median } from './support/statistics.ts'
import { repositoryRoot } from './support/workspace.ts'

const run = promisify(execFile)
const targetRatio = 1.5

/**
 * `x-ralio --help` (the installed bin file, run by the same Node) against a bare
 * `node -e 0`: what the command adds to starting Node. Each round spawns each side a few
 * times and keeps the median, the two sides back to back in alternating order.
 */
export async function benchCliStartUp(options: BenchOptions): Promise<BenchSection> {
  const rounds = options.quick ? 5 : 15
  const spawnsPerRound = options.quick ? 3 : 5
  const bin = join(repositoryRoot, 'packages/cli/bin/x-ralio.js')
  const spawnMs = async (args: string[]) => {
    const started = performance.now()
    await run(process.execPath, args)
    return performance.now() - started
  }
  const round = (args: string[]) => async () => {
    const times: number[] = []
    for (let spawn = 0; spawn < spawnsPerRound; spawn++) times.push(await spawnMs(args))
    return { startUpMs: median(times) }
  }
  const comparison = await compareRounds({
    rounds,
    warmupRounds: 1,
    higherIsBetter: { startUpMs: false },
    sdk: { name: 'x-ralio --help', round: round([bin, '--help']) },
    floor: { name: 'node -e 0', round: round(['-e', '0']) },
  })
  const ratio = comparison.cost.startUpMs
  const markdown = [
    `Method: ${rounds} rounds after a warm-up round; in each round \`node packages/cli/bin/x-ralio.js --help\` and a bare ` +
      `\`node -e 0\` are each spawned ${spawnsPerRound} times back to back (order alternating between rounds), and each ` +
      'side’s median spawn-to-exit time is that round’s figure. The ratio is paired per round. `--help` loads no SDK: ' +
      'commands are imported only when one runs.',
    '',
    table(
      ['command', 'start-up ms (range)'],
      [
        ['`x-ralio --help`', formatFigure(comparison.sdk.startUpMs, 1)],
        ['`node -e 0`', formatFigure(comparison.floor.startUpMs, 1)],
      ],
    ),
    '',
    `Ratio (x-ralio --help / node -e 0): ${formatFigure(ratio)}.`,
  ].join('\n')
  const met = ratio.median <= targetRatio
  return {
    title: 'Command line: start-up',
    markdown,
    targets: [
      {
        name: 'x-ralio --help start-up against a bare node -e 0',
        target: `ratio ≤ ${targetRatio.toFixed(2)}`,
        measured: formatFigure(ratio),
        met,
        ...(!met && {
          note: `missed by ${(ratio.median - targetRatio).toFixed(2)}; profile \`node --cpu-prof packages/cli/bin/x-ralio.js --help\` for the modules loaded before the help is printed`,
        }),
      },
    ],
  }
}
