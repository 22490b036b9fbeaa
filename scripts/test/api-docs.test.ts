import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures/api-docs', import.meta.url))
const typedoc = join(dirname(createRequire(import.meta.url).resolve('typedoc/package.json')), 'bin/typedoc')

/** Runs `pnpm check:docs`' checks (the repository's typedoc.json) on one fixture module. */
function checkDocs(file: string) {
  const result = spawnSync(
    process.execPath,
    [
      typedoc,
      '--options',
      join(root, 'typedoc.json'),
      '--entryPointStrategy',
      'resolve',
      '--entryPoints',
      join(fixtures, file),
      '--tsconfig',
      join(fixtures, 'tsconfig.json'),
      '--emit',
      'none',
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 60_000 },
  )
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

describe('API reference check', () => {
  it('passes a module whose exports are all documented', () => {
    const { status, output } = checkDocs('documented.ts')
    expect({ status, output }).toMatchObject({ status: 0 })
  })

  it('fails on an undocumented export and on a link to nothing, naming both', () => {
    const { status, output } = checkDocs('undocumented.ts')
    expect(status).not.toBe(0)
    expect(output).toMatch(/subtract \((Function|CallSignature)\).*does not have any documentation/)
    expect(output).toMatch(/Failed to resolve link to "NoSuchThing"/)
  })
})
