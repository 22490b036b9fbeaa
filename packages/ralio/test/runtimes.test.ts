import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))

// Runs against the built package (turbo builds it before tests), as a bundler would see it.
describe('runtimes', () => {
  it('bundles for the browser and edge workers without any node: module', async () => {
    const result = await build({
      entryPoints: [`${packageDir}/dist/index.js`],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Our tsconfig maps #file-store to the sources for the type checker; consumers never see it.
      tsconfigRaw: '{}',
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((input) => input.endsWith('file-credential-store.edge.js'))).toBe(true)
    expect(inputs.filter((input) => input.includes('file-credential-store.node'))).toEqual([])
    const imports = Object.values(result.metafile.outputs).flatMap((output) =>
      output.imports.map((entry) => entry.path),
    )
    expect(imports.filter((path) => path.startsWith('node:'))).toEqual([])
    expect(result.outputFiles[0]!.text).not.toMatch(/["']node:/)
  })

  it('resolves the real file store under the node condition', async () => {
    const result = await build({
      entryPoints: [`${packageDir}/dist/index.js`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      tsconfigRaw: '{}',
      external: ['jose', 'zod', '@x/core', '@x/core/internal'],
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((input) => input.endsWith('file-credential-store.node.js'))).toBe(true)
  })

  it('maps #file-store to the node, bun, deno and default files in package.json', async () => {
    const manifest = JSON.parse(await readFile(`${packageDir}/package.json`, 'utf8'))
    expect(manifest.imports['#file-store']).toEqual({
      types: './dist/credentials/file-credential-store.node.d.ts',
      node: './dist/credentials/file-credential-store.node.js',
      bun: './dist/credentials/file-credential-store.node.js',
      deno: './dist/credentials/file-credential-store.node.js',
      default: './dist/credentials/file-credential-store.edge.js',
    })
  })

  it('gives edge runtimes a file store that explains what to pass instead', async () => {
    const { FileCredentialStore } = await import('../src/credentials/file-credential-store.edge.js')
    const error = await new FileCredentialStore().load().catch((caught: unknown) => caught)
    expect((error as Error).name).toBe('RalioConfigError')
    expect((error as Error).message).toMatch(/MemoryCredentialStore.*clientId, privateKey/)
  })
})
