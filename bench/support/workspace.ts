import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * The benchmarks are not a workspace package, so they borrow each dependency from the
 * package that declares it. The SDK packages resolve through their own `exports`
 * (package self-reference), exactly as an application importing them would.
 */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url))

const owners: Record<string, string> = {
  '@x/core': 'packages/core',
  '@x/ralio': 'packages/ralio',
  '@x/relynt': 'packages/relynt',
  '@x/sandbox': 'packages/sandbox',
  '@x/agent-tools': 'packages/agent-tools',
  '@redis/client': 'packages/agent-tools',
  unhomoglyph: 'packages/agent-tools',
  ky: 'packages/core',
  zod: 'packages/core',
  'eventsource-parser': 'packages/core',
  jose: 'packages/ralio',
  hono: 'packages/sandbox',
  canonicalize: 'packages/relynt',
}

/** `@x/ralio/internal` → `@x/ralio`, `jose` → `jose`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier)
}

/** The directory of the package that declares `specifier`, if it is one the benchmarks borrow. */
export function ownerDirectory(specifier: string): string | undefined {
  const owner = owners[packageName(specifier)]
  return owner === undefined ? undefined : join(repositoryRoot, owner)
}

/** An absolute file URL for `specifier` as its owning package resolves it. */
export function resolveWorkspaceUrl(specifier: string): string {
  const directory = ownerDirectory(specifier)
  if (directory === undefined)
    throw new Error(`${specifier} is not a package the benchmarks know how to find`)
  const require = createRequire(join(directory, 'package.json'))
  return pathToFileURL(require.resolve(specifier)).href
}

/**
 * An absolute file URL for `specifier` as an ES module import resolves it (the `import`
 * condition: zod's ESM build, not the CommonJS one `require.resolve` finds). Needs the
 * workspace resolve hook (`register-workspace.ts`), which every benchmark runs under.
 */
export function resolveImportUrl(specifier: string): string {
  return import.meta.resolve(specifier)
}

/** Node flags a child process needs to import the same packages as this one. */
export const workspaceExecArgv = [
  '--import',
  pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'register-workspace.ts')).href,
]
