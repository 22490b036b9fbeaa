import { VERSION } from '../version.js'

type RuntimeGlobals = {
  Deno?: { version?: { deno?: string } }
  Bun?: { version?: string }
  EdgeRuntime?: string
  navigator?: { userAgent?: string }
  process?: { versions?: { node?: string } }
}

/** `deno/2.1.0`, `bun/1.2.0`, `workerd`, `edge-runtime`, `node/24.1.0`, or `unknown`. */
export function runtimeName(): string {
  const globals = globalThis as RuntimeGlobals
  if (globals.Deno?.version?.deno) return `deno/${globals.Deno.version.deno}`
  if (globals.Bun?.version) return `bun/${globals.Bun.version}`
  if (typeof globals.EdgeRuntime === 'string') return 'edge-runtime'
  if (globals.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd'
  if (globals.process?.versions?.node) return `node/${globals.process.versions.node}`
  return 'unknown'
}

/** e.g. `@x/ralio/0.1.0 @x/core/0.1.0 node/24.21.0` */
export function userAgent(product: string): string {
  return `${product} @x/core/${VERSION} ${runtimeName()}`
}
