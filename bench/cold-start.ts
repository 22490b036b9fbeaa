import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type BenchOptions, type BenchSection, table } from './support/bench-section.ts'
import { type Figure, figure, formatFigure } from './support/statistics.ts'
import { resolveWorkspaceUrl } from './support/workspace.ts'

interface ColdStartRun {
  /** From spawn to exit, as the parent saw it. */
  processMs: number
  /** Around the `import()`s only, inside the child. */
  importMs: number
}

/**
 * Importing @x/ralio and @x/relynt in a fresh Node process versus importing ky + jose +
 * zod alone (what the SDKs are built on). Each run is a new process; runs of the two
 * sides alternate. Entry points are resolved to file URLs beforehand, so both sides pay
 * the same (no) resolution cost in the child.
 */
export async function benchColdStart(options: BenchOptions): Promise<BenchSection> {
  const runs = options.quick ? 6 : 30
  const sdk = ['@x/ralio', '@x/relynt'].map(resolveWorkspaceUrl)
  const floor = ['ky', 'jose', 'zod'].map(resolveWorkspaceUrl)
  await coldStart(sdk)
  await coldStart(floor)
  const sdkRuns: ColdStartRun[] = []
  const floorRuns: ColdStartRun[] = []
  const bareRuns: ColdStartRun[] = []
  for (let run = 0; run < runs; run++) {
    sdkRuns.push(await coldStart(sdk))
    floorRuns.push(await coldStart(floor))
    bareRuns.push(await coldStart([]))
  }
  const summary = (values: ColdStartRun[]): [Figure, Figure] => [
    figure(values.map((run) => run.importMs)),
    figure(values.map((run) => run.processMs)),
  ]
  const [sdkImport, sdkProcess] = summary(sdkRuns)
  const [floorImport, floorProcess] = summary(floorRuns)
  const [, bareProcess] = summary(bareRuns)
  const ratio = sdkImport.median / floorImport.median
  const markdown = [
    `Method: ${runs} fresh \`node --input-type=module -e …\` processes per side, alternating; medians with the range over runs. ` +
      '“import” is measured inside the child around the `await import()` calls; “process” is spawn to exit as the parent sees it.',
    '',
    table(
      ['imports', 'import ms (range)', 'process ms (range)'],
      [
        ['`@x/ralio` + `@x/relynt`', formatFigure(sdkImport, 1), formatFigure(sdkProcess, 1)],
        ['ky + jose + zod', formatFigure(floorImport, 1), formatFigure(floorProcess, 1)],
        ['nothing (Node itself)', '—', formatFigure(bareProcess, 1)],
      ],
    ),
    '',
    `The SDKs' imports take ${ratio.toFixed(2)}× the time of their dependencies alone ` +
      `(+${(sdkImport.median - floorImport.median).toFixed(1)} ms). No target is set for cold start in issue #7; the figure is reported.`,
  ].join('\n')
  return { title: 'Cold start', markdown, targets: [] }
}

async function coldStart(urls: string[]): Promise<ColdStartRun> {
  const source =
    'const started = performance.now();' +
    urls.map((url) => `await import(${JSON.stringify(url)});`).join('') +
    'process.stdout.write(String(performance.now() - started))'
  const started = performance.now()
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', source])
  return { processMs: performance.now() - started, importMs: Number(stdout) }
}
