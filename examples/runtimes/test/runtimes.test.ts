import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from '@x/ralio'
import { type RalioSandbox, type RelyntSandbox, startRalioSandbox, startRelyntSandbox } from '@x/sandbox'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowResult } from '../src/quickstart-flow.js'
import { childEnvironment, lastJsonLine, runChild } from './run-child.js'
import { startWorkerd } from './start-workerd.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)

/** A binary shipped by an npm package (the runtimes are dev dependencies, not assumed on the machine). */
function packageBinary(name: string, relativePath: string): string {
  return join(dirname(require.resolve(`${name}/package.json`)), relativePath)
}

const childTimeoutMs = 60_000

let ralioSandbox: RalioSandbox
let relyntSandbox: RelyntSandbox
let scratch: string

beforeAll(async () => {
  ralioSandbox = await startRalioSandbox()
  relyntSandbox = await startRelyntSandbox()
  scratch = await mkdtemp(join(tmpdir(), 'runtimes-'))
})

afterAll(async () => {
  await Promise.all([ralioSandbox?.close(), relyntSandbox?.close()])
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
})

/** What every runtime must have done, checked against the client's view and the servers' records. */
function expectQuickstartsRan(result: FlowResult, runtime: RegExp, reference: string) {
  expect(result.runtime).toMatch(runtime)
  expect(result.clientId).toMatch(/\S/)
  expect(result.streamEvents[0]).toBe('conversation')
  expect(result.streamEvents).toContain('tool_started')
  expect(result.streamEvents.at(-1)).toBe('reply')
  expect(result.reply).toMatch(new RegExp(`paid £25\\.00 to Alice for ${reference}`))
  // The deltas streamed one by one add up to the final reply.
  expect(result.streamedText).toBe(result.reply)
  expect(result.paymentIntentReferences).toContain(reference)
  expect(result.transactionCount).toBeGreaterThan(0)
  expect(result).toMatchObject({ decision: 'allow', receiptVerifies: true, requestHashMatches: true })

  const payments = ralioSandbox.stats().paymentIntents.filter((intent) => intent.reference === reference)
  expect(payments).toHaveLength(1)
  expect(relyntSandbox.listReceipts().map((receipt) => receipt.receipt_id)).toContain(result.receiptId)
}

/** A fresh ticket, config directory and gateway agent, as the SDKs' environment variables. */
async function quickstartEnvironment(reference: string) {
  const configDir = await mkdtemp(join(scratch, `${reference}-`))
  const { agentId, secret } = relyntSandbox.createAgent({ name: reference })
  const env = childEnvironment({
    RALIO_API_URL: ralioSandbox.url,
    RALIO_REGISTRATION_TICKET: ralioSandbox.mintTicket().ticket,
    RALIO_CONFIG_DIR: configDir,
    RELYNT_API_BASE_URL: relyntSandbox.url,
    RELYNT_AGENT_ID: agentId,
    RELYNT_AGENT_SECRET: secret,
    QUICKSTART_REFERENCE: reference,
  })
  return { env, configDir }
}

interface RuntimeCase {
  name: string
  reference: string
  runtime: RegExp
  command: () => string
  /** Arguments, given the directory the file credential store may write to. */
  args: (configDir: string) => string[]
  env?: () => Record<string, string>
}

const nodeStripsTypes = (process.features as { typescript?: unknown }).typescript !== undefined
const runtimes: RuntimeCase[] = [
  {
    name: 'Node',
    reference: 'RUNTIME-NODE',
    runtime: /^Node\.js\//,
    command: () => process.execPath,
    // Node >= 23.6 strips types by default; 22.12+ needs the flag.
    args: () => [...(nodeStripsTypes ? [] : ['--experimental-strip-types']), 'src/cli.ts'],
  },
  {
    name: 'Bun',
    reference: 'RUNTIME-BUN',
    runtime: /^Bun\//,
    command: () => packageBinary('bun', 'bin/bun.exe'),
    args: () => ['--no-install', 'src/cli.ts'],
  },
  {
    name: 'Deno',
    reference: 'RUNTIME-DENO',
    runtime: /^Deno\//,
    command: () => packageBinary('deno', 'deno'),
    // Only the permissions the quick starts need: env, loopback, reading the code and
    // writing the config directory.
    args: (configDir) => [
      'run',
      '--no-lock',
      '--allow-env',
      '--allow-net=127.0.0.1',
      '--allow-read',
      `--allow-write=${configDir}`,
      'src/cli.ts',
    ],
    env: () => ({ DENO_DIR: join(scratch, 'deno-cache'), DENO_NO_UPDATE_CHECK: '1' }),
  },
]

describe('the quick starts run on each runtime against the sandboxes', () => {
  it.each(runtimes)(
    '$name: registers with the file store, streams a chat, lists, requests an action and verifies its receipt',
    async (runtime) => {
      const { env, configDir } = await quickstartEnvironment(runtime.reference)
      const child = await runChild(runtime.command(), runtime.args(configDir), {
        cwd: packageDir,
        env: { ...env, ...runtime.env?.() },
        timeoutMs: childTimeoutMs,
      })
      const result = lastJsonLine<FlowResult>(runtime.name, child)

      expectQuickstartsRan(result, runtime.runtime, runtime.reference)
      expect(result.registeredToFile).toBe(true)
      // The file store wrote the binding where RALIO_CONFIG_DIR points.
      expect(await readdir(configDir)).toContain('credentials.json')
    },
  )

  it('a bundled Worker on workerd: the same with a MemoryCredentialStore holding a binding registered in Node', async () => {
    const reference = 'RUNTIME-WORKERD'
    // A Worker has no file system: register here with the file store, hand the Worker the
    // binding as a secret, as one would with `wrangler secret put`.
    const configDir = await mkdtemp(join(scratch, 'worker-binding-'))
    const registration = await register({
      ticket: ralioSandbox.mintTicket().ticket,
      baseUrl: ralioSandbox.url,
      configDir,
    })
    const credentials = {
      clientId: registration.clientId,
      jkt: registration.jkt,
      privateKey: await readFile(registration.keyPath ?? '', 'utf8'),
    }
    const { agentId, secret } = relyntSandbox.createAgent({ name: reference })

    // Bundled as a Workers build tool does: browser platform, the workerd/worker conditions.
    const bundle = await build({
      entryPoints: [join(packageDir, 'src/worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      // As installed from the registry: the packages' own tsconfig (which maps #file-store to
      // their sources for the type checker) is not published, so it must not steer resolution.
      tsconfigRaw: '{}',
      write: false,
      logLevel: 'silent',
    })
    const worker = await startWorkerd({
      workerd: packageBinary('workerd', 'bin/workerd'),
      directory: await mkdtemp(join(scratch, 'workerd-')),
      bundle: bundle.outputFiles[0]?.text ?? '',
      bindings: {
        text: {
          RALIO_API_URL: ralioSandbox.url,
          RELYNT_API_BASE_URL: relyntSandbox.url,
          RELYNT_AGENT_ID: agentId,
          RELYNT_AGENT_SECRET: secret,
        },
        json: { RALIO_CREDENTIALS: credentials },
      },
      timeoutMs: childTimeoutMs,
    })
    try {
      const response = await fetch(`${worker.url}/?reference=${reference}`, {
        signal: AbortSignal.timeout(childTimeoutMs),
      })
      const body = (await response.json()) as FlowResult & { error?: string }
      if (response.status !== 200) throw new Error(`the Worker failed: ${body.error}\n${worker.output()}`)

      expectQuickstartsRan(body, /^Cloudflare-Workers$/, reference)
      expect(body.clientId).toBe(registration.clientId)
      expect(body.registeredToFile).toBe(false)
    } finally {
      await worker.stop()
    }
  })
})
