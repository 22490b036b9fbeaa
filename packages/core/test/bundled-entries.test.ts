import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// The built entries, as an application imports them (package self-reference); typed from the
// sources, since type-checking does not wait for the build.
const { APIError, SdkError } = (await import('@x/core' as string)) as typeof import('../src/index.js')
const { createTransport } = (await import(
  '@x/core/internal' as string
)) as typeof import('../src/internal/index.js')

const dist = fileURLToPath(new URL('../dist/', import.meta.url))

// Runs against the built package (turbo builds it before tests), as an application imports it.
describe('the bundled entry points', () => {
  it('hands out one class across @x/core and @x/core/internal, so instanceof holds for errors the transport throws', async () => {
    const transport = createTransport({
      baseUrl: 'https://api.example.test',
      userAgent: 'test/0.0.0',
      fetch: async () => Response.json({ error: 'nope' }, { status: 404 }),
    })
    const error = await transport
      .request({ method: 'GET', path: '/v1/things' })
      .catch((caught: unknown) => caught)
    transport.close()
    expect(error).toBeInstanceOf(APIError)
    expect(error).toBeInstanceOf(SdkError)
    expect(APIError.isInstance(error)).toBe(true)
  })

  it('defines each class once, in a chunk both entries import', async () => {
    const files = [
      'index.js',
      'internal/index.js',
      ...(await readdir(`${dist}chunks`))
        .filter((name) => name.endsWith('.js'))
        .map((name) => `chunks/${name}`),
    ]
    const texts = await Promise.all(files.map((file) => readFile(`${dist}${file}`, 'utf8')))
    const definitions = texts.join('\n').match(/\bvar SdkError = class\b/g) ?? []
    expect(definitions).toHaveLength(1)
    for (const [index, text] of texts.entries()) {
      if (files[index]?.startsWith('chunks/')) continue
      expect(text).toMatch(/from "\.\.?\/(\.\.\/)?chunks\/chunk-[\w-]+\.js"/)
    }
  })

  it('maps a stack trace from the bundle back to the published sources', async () => {
    const script = `
      import { createTransport } from '@x/core/internal'
      const transport = createTransport({
        baseUrl: 'https://api.example.test',
        userAgent: 'test/0.0.0',
        fetch: async () => Response.json({}, { status: 404 }),
      })
      await transport.request({ method: 'GET', path: '/v1/things' }).catch((error) => console.log(error.stack))
      transport.close()`
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('..', import.meta.url)) },
    )
    expect(stdout).toMatch(/src\/[\w/-]+\.ts:\d+:\d+/)
    expect(stdout).not.toMatch(/dist\/internal\/index\.js:\d+/)
  })
})
