// Builds the tarballs package.json points at, from this repository's packages, each
// stamped with the version in its file name: a stand-in for the npm registry until the
// packages are published. Run `pnpm build` at the repository root first.
//
//   node scripts/pack-vendor.mjs [--workspace <repository root>]
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const project = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { values } = parseArgs({ options: { workspace: { type: 'string' } } })
const workspace = resolve(values.workspace ?? join(project, '..', '..'))
const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))

// Every `file:vendor/x-<name>-<version>.tgz` the manifest mentions, overrides included.
const wanted = new Map()
const specs = [
  ...Object.values(manifest.dependencies ?? {}),
  ...Object.values(manifest.devDependencies ?? {}),
  ...Object.values(manifest.overrides ?? {}),
]
for (const spec of specs) {
  const match = typeof spec === 'string' && /^file:vendor\/x-([a-z]+)-(\d+\.\d+\.\d+)\.tgz$/.exec(spec)
  if (match) wanted.set(match[1], match[2])
}
const coreVersion = wanted.get('core')

const vendor = join(project, 'vendor')
await mkdir(vendor, { recursive: true })
const work = await mkdtemp(join(tmpdir(), 'pack-vendor-'))
try {
  for (const [name, version] of wanted) {
    const source = join(workspace, 'packages', name)
    if (!existsSync(join(source, 'dist'))) {
      throw new Error(`${source}/dist is missing: run \`pnpm build\` at the repository root first`)
    }
    // pnpm rewrites `workspace:` and `catalog:` ranges, as publishing does.
    const packed = JSON.parse(
      execFileSync('pnpm', ['pack', '--pack-destination', work, '--json'], { cwd: source, encoding: 'utf8' }),
    ).filename
    const unpacked = join(work, name)
    await mkdir(unpacked)
    execFileSync('tar', ['-xzf', packed, '-C', unpacked])
    const root = join(unpacked, 'package')
    const packageJson = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
    const previous = packageJson.version
    packageJson.version = version
    // What `changeset version` does to a dependent: its range follows the released core.
    if (packageJson.dependencies?.['@x/core'] && coreVersion)
      packageJson.dependencies['@x/core'] = `^${coreVersion}`
    await writeFile(join(root, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`)
    // The VERSION a package reports (in its User-Agent), kept equal to package.json as a release does.
    // Bundled builds: the constant sits in whichever file of dist/ holds it.
    for (const file of await readdir(join(root, 'dist'), { recursive: true })) {
      if (!file.endsWith('.js')) continue
      const path = join(root, 'dist', file)
      const code = await readFile(path, 'utf8')
      const stamped = code.replace(/\bVERSION = (["'])([^"']*)\1/, (found, quote, value) =>
        value === previous ? `VERSION = ${quote}${version}${quote}` : found,
      )
      if (stamped !== code) await writeFile(path, stamped)
    }
    execFileSync('npm', ['pack', '--pack-destination', vendor, '--loglevel=error'], {
      cwd: root,
      stdio: 'ignore',
    })
    console.log(`vendor/x-${name}-${version}.tgz`)
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
