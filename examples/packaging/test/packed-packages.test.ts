import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installConsumer, runConsumerScript } from '../src/consumer-project.js'
import { packPackage, publishedPackages, workspaceRoot } from '../src/pack-package.js'
import { runCommand, runForExit } from '../src/run-command.js'
import { startSandboxCli } from '../src/start-sandbox-cli.js'

/** The oldest TypeScript the packages' declarations are promised (and checked) to compile with. */
const minimumTypeScript = { alias: 'typescript-minimum', version: '5.7.3' }

// Outside the workspace, so nothing can resolve to workspace sources or pnpm's links.
let root: string
let project: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'x-sdks-packed-'))
  const tarballs = join(root, 'tarballs')
  project = join(root, 'consumer')
  await mkdir(tarballs)
  await mkdir(project)
  const packed = await Promise.all(publishedPackages.map((name) => packPackage(name, tarballs)))
  const dependencies = Object.fromEntries(
    publishedPackages.map((name, index) => [`@x/${name}`, `file:${packed[index]}`]),
  )
  await installConsumer(project, {
    // The optional frameworks of @x/agent-tools' adapters and of x-mcp, as a user adds them.
    dependencies: {
      ...dependencies,
      '@modelcontextprotocol/sdk': '^1.32.2',
      '@openai/agents': '^0.20.0',
      '@langchain/core': '^1.4.0',
      ai: '^7.0.173',
    },
    devDependencies: {
      '@types/node': '24.x',
      // The oldest TypeScript the READMEs promise, beside the workspace's own.
      [minimumTypeScript.alias]: `npm:typescript@${minimumTypeScript.version}`,
    },
  })
})

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

const publicNames = {
  core: ['SdkError', 'APIError', 'ConnectionError', 'TimeoutError', 'UserAbortError', 'Page', 'PagePromise'],
  ralio: [
    'register',
    'RalioClient',
    'FileCredentialStore',
    'MemoryCredentialStore',
    'RalioError',
    'RalioAPIError',
    'RalioAuthError',
    'RalioPermissionError',
    'RalioNotFoundError',
    'RalioValidationError',
    'RalioRateLimitError',
    'RalioRegistrationError',
    'RalioConfigError',
    'RalioConnectionError',
    'RalioTimeoutError',
  ],
  relynt: [
    'RelyntClient',
    'RelyntError',
    'AuthenticationError',
    'RequestError',
    'ApprovalTimeoutError',
    'NetworkError',
    'ActionDeniedError',
  ],
  sandbox: ['startRalioSandbox', 'startRelyntSandbox'],
  'agent-tools': [
    'guardedTool',
    'defineTool',
    'approvalCheckTool',
    'createAgentTools',
    'ralioPayTool',
    'ralioChatTool',
    'ralioListTransactionsTool',
    'ralioListPaymentIntentsTool',
    'relyntSimulateTool',
    'relyntVerifyReceiptTool',
    'AgentToolsError',
  ],
}

describe('the packed packages installed with npm outside the workspace', () => {
  it('rewrites every workspace: and catalog: range to a real one in the packed manifests', async () => {
    const { stdout } = await runCommand(
      process.execPath,
      [
        '-e',
        `const names = ${JSON.stringify(publishedPackages)};
         console.log(JSON.stringify(names.map((name) => require('@x/' + name + '/package.json'))))`,
      ],
      { cwd: project },
    )
    for (const manifest of JSON.parse(stdout) as Array<Record<string, Record<string, string> | undefined>>) {
      for (const range of Object.values({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        expect(range).not.toMatch(/^(workspace|catalog):/)
      }
    }
  })

  it('imports each package as an ES module with its public names', async () => {
    const exported = JSON.parse(await runConsumerScript(project, 'esm-import.mjs')) as Record<
      string,
      string[]
    >
    for (const [name, names] of Object.entries(publicNames)) {
      expect(exported[name]).toEqual(expect.arrayContaining(names))
    }
  })

  it('requires each package from CommonJS', async () => {
    const result = JSON.parse(await runConsumerScript(project, 'cjs-require.cjs')) as {
      exported: Record<string, string[]>
      classes: boolean
    }
    for (const [name, names] of Object.entries(publicNames)) {
      expect(result.exported[name]).toEqual(expect.arrayContaining(names))
    }
    expect(result.classes).toBe(true)
  })

  it('ships the MIT LICENSE of the repository in every tarball', async () => {
    const license = await readFile(join(workspaceRoot, 'LICENSE'), 'utf8')
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /)
    for (const name of publishedPackages) {
      const installed = await readFile(join(project, 'node_modules', '@x', name, 'LICENSE'), 'utf8')
      expect({ name, installed }).toEqual({ name, installed: license })
    }
  })

  // Rejects with tsc's diagnostics in the message when anything fails to check.
  const typeCheck = (
    tsconfig: string,
    tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
  ) => runCommand(process.execPath, [tsc, '-p', tsconfig], { cwd: project })

  it(`type-checks the shipped declarations with the oldest supported TypeScript, ${minimumTypeScript.version}`, async () => {
    const tsc = join(project, 'node_modules', minimumTypeScript.alias, 'bin', 'tsc')
    const { stdout } = await runCommand(process.execPath, [tsc, '--version'], { cwd: project })
    expect(stdout.trim()).toBe(`Version ${minimumTypeScript.version}`)
    await expect(typeCheck('tsconfig.json', tsc)).resolves.toBeDefined()
    await expect(typeCheck('tsconfig.without-dom.json', tsc)).resolves.toBeDefined()
  })

  it('type-checks a strict TypeScript consumer against every shipped declaration', async () => {
    await expect(typeCheck('tsconfig.json')).resolves.toBeDefined()
  })

  it('type-checks the SDKs in a Node project without the DOM lib', async () => {
    await expect(typeCheck('tsconfig.without-dom.json')).resolves.toBeDefined()
  })

  it('pays through the installed x-sandbox command with clients configured only by environment variables', async () => {
    const sandbox = await startSandboxCli(project)
    const configDir = join(root, 'ralio-config')
    try {
      const output = await runConsumerScript(project, 'sandbox-call.mjs', {
        ...sandbox.env,
        RALIO_CONFIG_DIR: configDir,
      })
      const result = JSON.parse(output) as {
        clientId: string
        reply: string
        decision: string
        verified: boolean
      }
      expect(result.clientId).toMatch(/\S/)
      expect(result.reply).toContain('paid £12.50 to Bob')
      expect(result.decision).toBe('allow')
      expect(result.verified).toBe(true)
    } finally {
      await sandbox.stop()
    }
  })

  it('imports each agent-tools adapter once its framework is installed', async () => {
    const exported = JSON.parse(await runConsumerScript(project, 'agent-tools-subpaths.mjs')) as Record<
      string,
      string[]
    >
    expect(exported.ai).toEqual(expect.arrayContaining(['aiSdkTools']))
    expect(exported['openai-agents']).toEqual(expect.arrayContaining(['openAIAgentsTools']))
    expect(exported.mcp).toEqual(expect.arrayContaining(['createMcpServer', 'registerMcpTools']))
    expect(exported.langchain).toEqual(['langChainTools'])
  })

  it('serves the guarded tools over MCP from the installed x-mcp command', async () => {
    const session = JSON.parse(await runConsumerScript(project, 'mcp-session.mjs')) as {
      tools: string[]
      paid: { status: string; receiptId?: string }
    }
    expect(session.tools).toEqual(expect.arrayContaining(['ralio_pay', 'relynt_verify_receipt']))
    expect(session.tools).not.toContain('ralio_chat')
    expect(session.paid.status).toBe('paid')
    expect(session.paid.receiptId).toEqual(expect.any(String))
  })

  it('stops x-mcp with one line naming the missing setting when no Relynt credential is configured', async () => {
    const bin = join(project, 'node_modules', '.bin', 'x-mcp')
    const result = await runForExit(bin, [], {
      cwd: project,
      env: { RELYNT_API_BASE_URL: undefined, RELYNT_AGENT_ID: undefined, RELYNT_AGENT_SECRET: undefined },
      timeoutMs: 30_000,
    })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('RELYNT_API_BASE_URL')
  })

  it('runs the installed x-ralio and x-relynt commands against the installed x-sandbox', async () => {
    const bin = (name: string) => join(project, 'node_modules', '.bin', name)
    const sandbox = await startSandboxCli(project)
    const env = { ...sandbox.env, RALIO_CONFIG_DIR: join(root, 'cli-config') }
    const run = (name: string, args: string[]) =>
      runForExit(bin(name), args, { cwd: project, env, timeoutMs: 60_000 })
    try {
      for (const name of ['x-ralio', 'x-relynt']) {
        const version = await run(name, ['--version'])
        expect(version.code).toBe(0)
        expect(version.stdout).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+`))
      }
      const registered = await run('x-ralio', ['register', '--json'])
      expect(registered.code).toBe(0)
      expect(JSON.parse(registered.stdout).clientId).toMatch(/^cb_/)
      const status = await run('x-ralio', ['status', '--json'])
      expect(status.code).toBe(0)
      expect(JSON.parse(status.stdout)).toMatchObject({ accepted: true })
      const transactions = await run('x-ralio', ['transactions', '--json'])
      expect(transactions.code).toBe(0)
      expect(Array.isArray(JSON.parse(transactions.stdout))).toBe(true)

      const allowed = await run('x-relynt', [
        'request',
        '--action',
        'close_ticket',
        '--resource',
        'support:ticket:1',
        '--json',
      ])
      expect(allowed.code).toBe(0)
      expect(JSON.parse(allowed.stdout)).toMatchObject({ decision: 'allow' })
      const denied = await run('x-relynt', ['simulate', '--action', 'delete_record', '--resource', 'crm:x:1'])
      expect(denied.code).toBe(3)
    } finally {
      await sandbox.stop()
    }
  })
})
