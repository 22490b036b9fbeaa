import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { plainNpmEnvironment, runCommand } from './run-command.js'

export const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** The published packages, in dependency order. */
export const publishedPackages = ['core', 'ralio', 'relynt', 'sandbox', 'agent-tools', 'cli'] as const
/** The published packages that are libraries (`@x/cli` ships commands only). */
export const libraryPackages = ['core', 'ralio', 'relynt', 'sandbox', 'agent-tools'] as const
export type PublishedPackage = (typeof publishedPackages)[number]

/**
 * Packs one workspace package exactly as `pnpm publish` would (`workspace:` and
 * `catalog:` ranges rewritten to real ones) and returns the tarball's path.
 */
export async function packPackage(name: PublishedPackage, destination: string): Promise<string> {
  const { stdout } = await runCommand('pnpm', ['pack', '--pack-destination', destination, '--json'], {
    cwd: join(workspaceRoot, 'packages', name),
  })
  return (JSON.parse(stdout) as { filename: string }).filename
}

export interface Restamp {
  version: string
  /** New ranges for dependencies, e.g. `{ '@x/core': '1.0.0' }`. */
  dependencies?: Record<string, string>
}

/**
 * Repacks a tarball as another release of the same package: what `changeset version`
 * followed by a publish would ship. The version is changed in package.json and in the
 * built `VERSION` constant, so the copy is self-consistent.
 */
export async function restampTarball(
  tarball: string,
  restamp: Restamp,
  destination: string,
): Promise<string> {
  const work = await mkdtemp(join(destination, '.restamp-'))
  try {
    await runCommand('tar', ['-xzf', tarball, '-C', work], { cwd: work })
    const root = join(work, 'package')
    const manifestPath = join(root, 'package.json')
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
      version: string
      dependencies?: Record<string, string>
    }
    const previous = manifest.version
    manifest.version = restamp.version
    manifest.dependencies = { ...manifest.dependencies, ...restamp.dependencies }
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
    // Bundled builds: the constant sits in whichever file of dist/ holds it.
    for (const file of await readdir(join(root, 'dist'), { recursive: true })) {
      if (!file.endsWith('.js')) continue
      const path = join(root, 'dist', file)
      const source = await readFile(path, 'utf8')
      const stamped = source.replace(/\bVERSION = (["'])([^"']*)\1/, (found, quote: string, value: string) =>
        value === previous ? `VERSION = ${quote}${restamp.version}${quote}` : found,
      )
      if (stamped !== source) await writeFile(path, stamped)
    }
    const { stdout } = await runCommand('npm', ['pack', '--pack-destination', destination, '--json'], {
      cwd: root,
      env: plainNpmEnvironment(),
    })
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>
    if (!packed) throw new Error(`npm pack printed no tarball for ${tarball}`)
    return join(destination, packed.filename)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
