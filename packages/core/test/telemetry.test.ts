import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createTelemetry,
  createTransport,
  type Telemetry,
  type TransportOptions,
} from '../src/internal/index.js'
import { type LocalServer, refusedUrl, sendJson, startServer } from './support/local-server.js'
import { childrenOf, spanNamed, startTracing, type Tracing } from './support/tracing.js'

const run = promisify(execFile)
const quiet = { error() {}, warn() {}, info() {}, debug() {} }

function transport(baseUrl: string, telemetry: Telemetry, options: Partial<TransportOptions> = {}) {
  return createTransport({
    baseUrl,
    userAgent: 'test/1.0.0',
    logger: quiet,
    retry: { baseDelayMs: 0, random: () => 0 },
    telemetry,
    ...options,
  })
}

const telemetryOptions = { name: '@x/test', version: '1.0.0', namespace: 'test' }

let tracing: Tracing
let server: LocalServer | undefined
beforeAll(() => {
  tracing = startTracing()
})
afterAll(() => tracing.stop())
afterEach(async () => {
  tracing.reset()
  await server?.close()
  server = undefined
})

describe('request attempt spans', () => {
  it('records one client span per attempt with the HTTP semantic-convention attributes', async () => {
    server = await startServer((_request, response, index) =>
      index === 0 ? sendJson(response, 503, { error: 'busy' }) : sendJson(response, 200, { ok: true }),
    )
    await transport(server.url, createTelemetry(telemetryOptions)).request({ method: 'GET', path: '/items' })

    const [first, second] = tracing.spans()
    const { port } = new URL(server.url)
    expect(first!.name).toBe('GET')
    expect(first!.kind).toBe(2)
    expect(first!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `${server.url}/items`,
      'server.address': '127.0.0.1',
      'server.port': Number(port),
      'http.response.status_code': 503,
      'error.type': '503',
    })
    expect(first!.status.code).toBe(2)
    expect(second!.attributes).toMatchObject({
      'http.request.resend_count': 1,
      'http.response.status_code': 200,
    })
    expect(second!.attributes['error.type']).toBeUndefined()
    expect(second!.instrumentationScope).toMatchObject({ name: '@x/test', version: '1.0.0' })
  })

  it('names the error code of an attempt that got no response', async () => {
    const url = await refusedUrl()
    await expect(
      transport(url, createTelemetry(telemetryOptions), { maxRetries: 0 }).request({
        method: 'GET',
        path: '/',
      }),
    ).rejects.toThrow()
    const [span] = tracing.spans()
    expect(span!.attributes['error.type']).toBe('connection_refused')
    expect(span!.attributes['http.response.status_code']).toBeUndefined()
    expect(span!.events.map((event) => event.name)).toEqual(['exception'])
  })

  it('redacts secret query parameters from url.full', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}))
    await transport(server.url, createTelemetry(telemetryOptions)).request({
      method: 'GET',
      path: '/callback',
      query: { access_token: 'tok-123456', page: 2 },
    })
    const [span] = tracing.spans()
    expect(span!.attributes['url.full']).toBe(`${server.url}/callback?access_token=%5Bredacted%5D&page=2`)
  })

  it('counts the retries of a request on the SDK span it ran under, as a parent of its attempts', async () => {
    server = await startServer((_request, response, index) =>
      index < 2 ? sendJson(response, 502, {}) : sendJson(response, 200, { ok: true }),
    )
    const telemetry = createTelemetry(telemetryOptions)
    const client = transport(server.url, telemetry)
    await telemetry.span('test.operation', { 'test.id': 'op_1' }, () =>
      client.request({ method: 'GET', path: '/items' }),
    )
    const spans = tracing.spans()
    const operation = spanNamed(spans, 'test.operation')
    expect(operation.attributes).toEqual({ 'test.id': 'op_1', 'test.retry_count': 2 })
    expect(childrenOf(spans, operation).map((span) => span.name)).toEqual(['GET', 'GET', 'GET'])
  })
})

describe('switching telemetry on and off', () => {
  it('records nothing with tracerProvider false', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}))
    const telemetry = createTelemetry({ ...telemetryOptions, tracerProvider: false })
    await telemetry.span('test.operation', {}, () =>
      transport(server!.url, telemetry).request({ method: 'GET', path: '/' }),
    )
    expect(tracing.spans()).toEqual([])
  })

  it('records to a tracerProvider given to it rather than the global one', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}))
    const own = startTracing({ global: false })
    try {
      const telemetry = createTelemetry({ ...telemetryOptions, tracerProvider: own.provider })
      await transport(server.url, telemetry).request({ method: 'GET', path: '/' })
      expect(own.spans().map((span) => span.name)).toEqual(['GET'])
      expect(tracing.spans()).toEqual([])
    } finally {
      await own.stop()
    }
  })

  it('ends a failed SDK span with its error type and rethrows the error', async () => {
    const telemetry = createTelemetry(telemetryOptions)
    const failure = new RangeError('out of range')
    await expect(telemetry.span('test.operation', {}, () => Promise.reject(failure))).rejects.toBe(failure)
    const [span] = tracing.spans()
    expect(span!.attributes['error.type']).toBe('RangeError')
    expect(span!.status).toEqual({ code: 2, message: 'RangeError' })
    // Not the SDK's own error: its message could carry anything, so it is not recorded.
    expect(JSON.stringify(span!.events)).not.toContain('out of range')
  })

  describe('in a bundle that cannot load @opentelemetry/api', () => {
    let folder: string
    let bundle: string
    beforeAll(async () => {
      // Bundled as an edge worker would be, then run from a folder with no node_modules.
      folder = await mkdtemp(join(tmpdir(), 'x-core-bundle-'))
      bundle = join(folder, 'bundle.mjs')
      const entry = fileURLToPath(new URL('../src/internal/index.ts', import.meta.url))
      await build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        outfile: bundle,
        logLevel: 'silent',
      })
    })
    afterAll(() => rm(folder, { recursive: true, force: true }))

    /** Runs `body` in a fresh Node process with `core` (the bundle) and `url` (the server) in scope. */
    async function runInBundle(body: string): Promise<unknown> {
      const script = `
        const core = await import(${JSON.stringify(pathToFileURL(bundle).href)})
        const url = ${JSON.stringify(server!.url)}
        ${body}
      `
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: folder })
      return JSON.parse(stdout)
    }

    it('makes its requests and records nothing when no provider is registered', async () => {
      server = await startServer((_request, response) => sendJson(response, 200, { ok: true }))
      const output = await runInBundle(`
        const telemetry = core.createTelemetry({ name: 'x', version: '1', namespace: 'x' })
        const client = core.createTransport({ baseUrl: url, userAgent: 'test/1.0.0', telemetry })
        const data = await telemetry.span('x.operation', {}, () => client.request({ method: 'GET', path: '/' }))
        console.log(JSON.stringify(data))
      `)
      expect(output).toEqual({ ok: true })
      expect(server.requests).toHaveLength(1)
    })

    it('records to the provider the application registered through its own copy of the API', async () => {
      server = await startServer((_request, response) => sendJson(response, 200, { ok: true }))
      const sdk = pathToFileURL(createRequire(import.meta.url).resolve('@opentelemetry/sdk-trace-node')).href
      const output = await runInBundle(`
        const { default: otel } = await import(${JSON.stringify(sdk)})
        const exporter = new otel.InMemorySpanExporter()
        new otel.NodeTracerProvider({ spanProcessors: [new otel.SimpleSpanProcessor(exporter)] }).register()
        const telemetry = core.createTelemetry({ name: 'x', version: '1', namespace: 'x' })
        const client = core.createTransport({ baseUrl: url, userAgent: 'test/1.0.0', telemetry })
        await telemetry.span('x.operation', {}, () => client.request({ method: 'GET', path: '/' }))
        const spans = exporter.getFinishedSpans()
        const operation = spans.find((span) => span.name === 'x.operation')
        console.log(JSON.stringify(spans.map((span) => ({
          name: span.name,
          child: span.parentSpanContext?.spanId === operation.spanContext().spanId,
        }))))
      `)
      expect(output).toEqual([
        { name: 'GET', child: true },
        { name: 'x.operation', child: false },
      ])
    })
  })
})
