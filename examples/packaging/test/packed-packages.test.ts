import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installConsumer, runConsumerScript } from '../src/consumer-project.js'
import { packPackage, publishedPackages, workspaceRoot } from '../src/pack-package.js'
import { runCommand } from '../src/run-command.js'
import { startSandboxCli } from '../src/start-sandbox-cli.js'

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
    dependencies,
    devDependencies: { '@types/node': '24.x' },
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

  // Rejects with tsc's diagnostics in the message when anything fails to check.
  const typeCheck = (tsconfig: string) =>
    runCommand(
      process.execPath,
      [join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig],
      {
        cwd: project,
      },
    )

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
})
