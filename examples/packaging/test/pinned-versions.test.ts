import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { npmInstall } from '../src/consumer-project.js'
import { workspaceRoot } from '../src/pack-package.js'
import { runCommand } from '../src/run-command.js'

const example = join(workspaceRoot, 'examples', 'pinned-versions')
let root: string
let project: string

// The example as a user runs it, in a copy outside the workspace.
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'x-sdks-pinned-'))
  project = join(root, 'pinned-versions')
  await cp(example, project, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|vendor)$|package-lock\.json$/.test(source),
  })
  await runCommand(process.execPath, ['scripts/pack-vendor.mjs', '--workspace', workspaceRoot], {
    cwd: project,
  })
  await npmInstall(project)
})

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

it('pins exact and different versions of the two SDKs', async () => {
  const manifest = JSON.parse(await readFile(join(example, 'package.json'), 'utf8'))
  const versionOf = (spec: string) => /-(\d+\.\d+\.\d+)\.tgz$/.exec(spec)?.[1]
  const ralio = versionOf(manifest.dependencies['@x/ralio'])
  const relynt = versionOf(manifest.dependencies['@x/relynt'])
  expect(ralio).toMatch(/^\d+\.\d+\.\d+$/)
  expect(relynt).toMatch(/^\d+\.\d+\.\d+$/)
  expect(ralio).not.toBe(relynt)
})

it('runs the pinned versions it names and makes a call with each SDK', async () => {
  const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
  const pinned = (name: string) => /-(\d+\.\d+\.\d+)\.tgz$/.exec(manifest.dependencies[name])?.[1]
  const { stdout } = await runCommand(process.execPath, ['index.mjs'], { cwd: project, timeoutMs: 60_000 })
  // The SDKs report the versions the manifest pins, each on the one @x/core the override names.
  const core = /x-core-(\d+\.\d+\.\d+)\.tgz$/.exec(manifest.overrides['@x/core'])?.[1]
  expect(stdout).toContain(`@x/ralio  ${pinned('@x/ralio')} (on @x/core ${core})`)
  expect(stdout).toContain(`@x/relynt ${pinned('@x/relynt')} (on @x/core ${core})`)
  expect(stdout).toMatch(/Ralio: {2}Done: I paid £9\.99 to Carol/)
  expect(stdout).toMatch(/Relynt: allow, receipt \S+ verifies: true/)
})
