import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type BenchOptions, type BenchSection, type TargetCheck, table } from './support/bench-section.ts'
import { type Figure, figure, formatFigure } from './support/statistics.ts'
import { resolveImportUrl } from './support/workspace.ts'

const TARGET = 1.1
const SDKS = ['@x/ralio', '@x/relynt']
/** Every third-party entry point the SDKs import, as they import it (zod's mini build, ESM). */
const DEPENDENCIES = ['ky', 'jose', 'zod/mini', 'eventsource-parser', 'canonicalize']
/** Shown with a missed target: where the time goes, as profiled (`node --cpu-prof` of the import). */
const WHY =
  'profiled: each SDK ships one bundled file per entry point (7 files for both SDKs and @x/core, where there were ~85), ' +
  'their zod schemas are built on first use, not at import, and no `node:process` namespace is built; what is left is ' +
  'V8 compiling about 170 KB of SDK code (~3.5 ms), resolving each bare import of the bundles through the package ' +
  "exports (~1 ms) and the garbage collections their allocations bring forward; a process's start-up noise on this " +
  'shared machine is of the same size as the remaining gap'

interface ColdStartRun {
  /** From spawn to exit, as the parent saw it. */
  processMs: number
  /** Around the `import()`s only, inside the child. */
  importMs: number
}

/**
 * Importing @x/ralio and @x/relynt in a fresh Node process versus importing every
 * third-party entry point they import, alone (what the SDKs are built on). Each run is a new process; runs of the two
 * sides alternate. Entry points are resolved to file URLs beforehand, so both sides pay
 * the same (no) resolution cost in the child.
 */
export async function benchColdStart(options: BenchOptions): Promise<BenchSection> {
  const runs = options.quick ? 10 : 30
  const sdk = SDKS.map(resolveImportUrl)
  const floor = DEPENDENCIES.map(resolveImportUrl)
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
  // Paired run by run (the two sides alternate), like every other ratio in the report.
  const paired = (measure: (run: ColdStartRun) => number) =>
    figure(sdkRuns.map((run, index) => measure(run) / measure(floorRuns[index] as ColdStartRun)))
  const importRatios = paired((run) => run.importMs)
  // Whole processes: what a CLI, an MCP server a host spawns or a serverless start pays. The
  // same Node start-up is on both sides, so this ratio is the smaller of the two.
  const processRatios = paired((run) => run.processMs)
  const markdown = [
    `Method: ${runs} fresh \`node --input-type=module -e …\` processes per side, alternating; medians with the range over runs. ` +
      '“import” is measured inside the child around the `await import()` calls; “process” is spawn to exit as the parent sees it.',
    '',
    table(
      ['imports', 'import ms (range)', 'process ms (range)'],
      [
        ['`@x/ralio` + `@x/relynt`', formatFigure(sdkImport, 1), formatFigure(sdkProcess, 1)],
        [DEPENDENCIES.join(' + '), formatFigure(floorImport, 1), formatFigure(floorProcess, 1)],
        ['nothing (Node itself)', '—', formatFigure(bareProcess, 1)],
      ],
    ),
    '',
    `The SDKs' imports take ${formatFigure(importRatios)}× the time of their dependencies alone, paired run by run ` +
      `(medians +${(sdkImport.median - floorImport.median).toFixed(1)} ms); as whole processes ${formatFigure(processRatios)}×. ` +
      'The machine is shared: the ranges show how much a single start varies.',
  ].join('\n')
  const target = (name: string, ratios: Figure, sdk: Figure, floor: Figure): TargetCheck => {
    const met = ratios.median <= TARGET
    return {
      name,
      target: `SDKs/dependencies ≤ ${TARGET.toFixed(2)}`,
      measured: `${formatFigure(ratios)}; medians ${sdk.median.toFixed(1)} ms vs ${floor.median.toFixed(1)} ms`,
      met,
      ...(met ? {} : { note: `missed by ${(ratios.median - TARGET).toFixed(2)}; ${WHY}` }),
    }
  }
  return {
    title: 'Cold start',
    markdown,
    targets: [
      target(
        'Cold start: importing both SDKs vs their dependencies alone (import time)',
        importRatios,
        sdkImport,
        floorImport,
      ),
      target(
        'Cold start: importing both SDKs vs their dependencies alone (whole fresh processes)',
        processRatios,
        sdkProcess,
        floorProcess,
      ),
    ],
  }
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
