import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'
import { type BenchSection, type TargetCheck, table } from './support/bench-section.ts'
import { ownerDirectory, repositoryRoot, resolveWorkspaceUrl } from './support/workspace.ts'

/** Minimal apps as a user would write them for an edge worker. */
const apps: Record<string, string> = {
  '@x/ralio': `
    import { RalioClient } from '@x/ralio'
    export default {
      async fetch(request, env) {
        const client = new RalioClient({ clientId: env.RALIO_CLIENT_ID, privateKey: env.RALIO_PRIVATE_KEY })
        const page = await client.transactions.list()
        return Response.json(page.data)
      },
    }`,
  '@x/relynt': `
    import { RelyntClient } from '@x/relynt'
    export default {
      async fetch(request, env) {
        const client = new RelyntClient({ baseUrl: env.RELYNT_API_BASE_URL, agentSecret: env.RELYNT_AGENT_SECRET })
        const result = await client.requestAction({ action: 'close_ticket', resource: 'support:ticket:1' })
        return Response.json(result)
      },
    }`,
  both: `
    import { RalioClient } from '@x/ralio'
    import { RelyntClient } from '@x/relynt'
    export default {
      async fetch(request, env) {
        const relynt = new RelyntClient({ baseUrl: env.RELYNT_API_BASE_URL, agentSecret: env.RELYNT_AGENT_SECRET })
        const ralio = new RalioClient({ clientId: env.RALIO_CLIENT_ID, privateKey: env.RALIO_PRIVATE_KEY })
        const { value } = await relynt.guard({ action: 'pay_supplier', resource: 'payment:supplier:acme', payload: { amount: 10 } },
          () => ralio.chat.send({ message: 'Pay £10 to Acme' }))
        return Response.json(value)
      },
    }`,
}

const nodeBuiltins = new Set(builtinModules)

interface BundleReport {
  app: string
  platform: 'browser' | 'neutral'
  bytes: number
  gzipBytes: number
  /** Node-only modules the bundle still imports, with who imports them. */
  nodeImports: string[]
  /** Bytes per package in the output, largest first. */
  packages: [string, number][]
}

/**
 * Each minimal app bundled and minified by esbuild for the browser and for neutral (edge)
 * platforms with default conditions. A Node built-in reached from the default entry would
 * be a bug (the main entry must run on edge workers): it is recorded, not bundled.
 */
export async function benchBundleSize(): Promise<BenchSection> {
  const reports: BundleReport[] = []
  for (const [app, source] of Object.entries(apps)) {
    for (const platform of ['browser', 'neutral'] as const) reports.push(await bundle(app, source, platform))
  }
  const offenders = reports.filter((report) => report.nodeImports.length > 0)
  const targets: TargetCheck[] = [
    {
      name: 'Bundle: no Node-only module in the default browser/edge bundle',
      target: 'none',
      measured:
        offenders.length === 0
          ? 'none'
          : offenders
              .map((report) => `${report.app} (${report.platform}): ${report.nodeImports.join(', ')}`)
              .join('; '),
      met: offenders.length === 0,
    },
  ]
  const kb = (bytes: number) => (bytes / 1024).toFixed(1)
  const markdown = [
    'Method: esbuild, `bundle`, `minify`, `format: esm`, default conditions, one build per app and platform; gzip level 9 of the output. ' +
      'Apps: an edge-worker `fetch` handler calling `transactions.list()` (Ralio), `requestAction()` (Relynt), and `guard()` around `chat.send()` (both).',
    '',
    table(
      ['app', 'platform', 'minified KB', 'gzip KB', 'largest parts (KB, minified input)', 'Node built-ins'],
      reports.map((report) => [
        report.app,
        report.platform,
        kb(report.bytes),
        kb(report.gzipBytes),
        report.packages
          .slice(0, 5)
          .map(([name, bytes]) => `${name} ${kb(bytes)}`)
          .join(', '),
        report.nodeImports.length === 0 ? 'none' : report.nodeImports.join(', '),
      ]),
    ),
  ].join('\n')
  return { title: 'Bundle size', markdown, targets }
}

async function bundle(app: string, source: string, platform: 'browser' | 'neutral'): Promise<BundleReport> {
  const nodeImports = new Set<string>()
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: repositoryRoot, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // An installed package ships no tsconfig; the workspace's `paths` must not steer resolution.
    tsconfigRaw: {},
    plugins: [
      {
        name: 'workspace-and-node-builtins',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            const bare = args.path.replace(/^node:/, '').split('/')[0] ?? ''
            if (args.path.startsWith('node:') || nodeBuiltins.has(bare)) {
              nodeImports.add(`${args.path} (from ${relative(args.importer)})`)
              return { path: args.path, external: true }
            }
            // The app sits outside the workspace, and esbuild does not follow a package's
            // reference to itself: point the app's `@x/…` imports at the packages' entries
            // (their `exports` have only a `default` condition). Everything below them,
            // `#file-store` included, esbuild resolves with its own conditions.
            if (!args.path.startsWith('@x/') || ownerDirectory(args.path) === undefined) return undefined
            return { path: fileURLToPath(resolveWorkspaceUrl(args.path)) }
          })
        },
      },
    ],
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error(`esbuild produced no output for ${app}`)
  const packages = new Map<string, number>()
  for (const [path, input] of Object.entries(result.metafile.outputs).flatMap(([, file]) =>
    Object.entries(file.inputs),
  )) {
    const name = packageOf(path)
    packages.set(name, (packages.get(name) ?? 0) + input.bytesInOutput)
  }
  return {
    app,
    platform,
    bytes: output.contents.length,
    gzipBytes: gzipSync(output.contents, { level: 9 }).length,
    nodeImports: [...nodeImports],
    packages: [...packages].sort((a, b) => b[1] - a[1]),
  }
}

function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(path)
  if (match?.[1]) return match[1]
  const workspace = /packages\/([^/]+)\//.exec(path)
  return workspace?.[1] ? `@x/${workspace[1]}` : path
}

function relative(path: string): string {
  return path.startsWith(repositoryRoot) ? path.slice(repositoryRoot.length) : path
}
