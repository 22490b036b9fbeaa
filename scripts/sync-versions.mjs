#!/usr/bin/env node
// Rewrites `export const VERSION = '…'` in packages/*/src/version.ts to the version in that
// package's package.json. `pnpm version-packages` runs it right after `changeset version`, so
// the version a package reports (User-Agent, VERSION export) is the one it is published as.
// With --check it changes nothing and exits 1 if any package has drifted.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const checkOnly = process.argv.includes('--check')
const VERSION_LINE = /^export const VERSION = (['"])([^'"]*)\1/m

let drifted = 0
for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
  if (!entry.isDirectory()) continue
  const packageDir = join(root, 'packages', entry.name)
  const versionFile = join(packageDir, 'src', 'version.ts')
  const manifestFile = join(packageDir, 'package.json')
  if (!existsSync(versionFile) || !existsSync(manifestFile)) continue

  const { name, version } = JSON.parse(readFileSync(manifestFile, 'utf8'))
  const source = readFileSync(versionFile, 'utf8')
  const match = VERSION_LINE.exec(source)
  if (!match) {
    console.error(`${relative(root, versionFile)}: no \`export const VERSION = '…'\` line to update.`)
    process.exitCode = 1
    continue
  }
  if (match[2] === version) continue

  drifted++
  if (checkOnly) {
    console.error(`${name}: src/version.ts says ${match[2]}, package.json says ${version}.`)
    continue
  }
  writeFileSync(versionFile, source.replace(VERSION_LINE, `export const VERSION = '${version}'`))
  console.log(`${name}: VERSION ${match[2]} → ${version}`)
}

if (checkOnly && drifted > 0) {
  console.error('Run `node scripts/sync-versions.mjs` to fix.')
  process.exitCode = 1
}
