// Builds the package in the working directory (`node ../../scripts/build-package.mjs`, its
// `build` script): every entry point it publishes bundled by esbuild, one file per entry, and
// type declarations from tsc.
//
// Why bundle: Node loads an ES module graph one file at a time (resolve, read, compile, link
// each), and for SDKs of ~85 small modules that cost more at start-up than running their code.
//
// * Entries are read from package.json: every `./dist/*.js` target of `exports` and `imports`,
//   and every `../dist/*.js` a `bin` script imports; each is built from the same path under src/.
// * Dependencies stay external, and so do the package's own `#imports` (the runtime picks the
//   file by condition, so each target is an entry of its own).
// * Code splitting: a module two entries share lands once, in a chunk both import, so a class
//   has one identity across entries (`./internal` and `.` hand out the same `SdkError`, and
//   `instanceof` holds across them).
// * Source maps point at src/, which is published; declarations (and their maps) come from tsc
//   with the same paths as before, so types are what the compiler checked.
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { build } from 'esbuild'

const packageDir = process.cwd()
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))

/**
 * Every string leaf of an `exports` / `imports` value (conditions nest).
 * @param {unknown} value
 * @returns {string[]}
 */
function targets(value) {
  if (typeof value === 'string') return [value]
  if (value === null || typeof value !== 'object') return []
  return Object.values(value).flatMap(targets)
}

/**
 * `./dist/adapters/ai.js` → `src/adapters/ai.ts`; anything else (types, package.json) → undefined.
 * @param {string} target
 */
function sourceOf(target) {
  const match = /^\.\/dist\/(.+)\.js$/.exec(target)
  return match ? `src/${match[1]}.ts` : undefined
}

function binEntries() {
  /** @type {string[]} */
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {})
  return bins.flatMap((bin) => {
    const text = readFileSync(join(packageDir, bin), 'utf8')
    return [...text.matchAll(/import\s+['"](\.\.\/dist\/[^'"]+\.js)['"]/g)].map((match) =>
      relative(packageDir, join(packageDir, dirname(bin), match[1] ?? '')),
    )
  })
}

const entryPoints = [
  ...new Set(
    [...targets(manifest.exports), ...targets(manifest.imports), ...binEntries().map((path) => `./${path}`)]
      .map(sourceOf)
      .filter((source) => source !== undefined),
  ),
].sort()
if (entryPoints.length === 0) throw new Error(`${manifest.name}: no ./dist/*.js entry point in package.json`)

rmSync(join(packageDir, 'dist'), { recursive: true, force: true })
await build({
  entryPoints,
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  // Neutral: the main entries run on Node, Bun, Deno, workers and browsers; `node:` modules
  // are imported only by the files that need them, and stay imports.
  platform: 'neutral',
  target: 'es2022',
  packages: 'external',
  external: ['node:*', ...Object.keys(manifest.imports ?? {})],
  // Bundling renames a class or function whose name two modules share (and a class that refers
  // to itself); keep `.name` as written, which users see in logs, stacks and util.inspect.
  keepNames: true,
  sourcemap: true,
  // src/ is published beside dist/, so a map names the files instead of copying them.
  sourcesContent: false,
  logLevel: 'warning',
})

const require = createRequire(import.meta.url)
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--emitDeclarationOnly'],
  { cwd: packageDir, stdio: 'inherit' },
)
