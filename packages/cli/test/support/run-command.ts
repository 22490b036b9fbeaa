import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The published bin files, run with this Node exactly as the installed commands run. */
export const bins = {
  'x-ralio': fileURLToPath(new URL('../../bin/x-ralio.js', import.meta.url)),
  'x-relynt': fileURLToPath(new URL('../../bin/x-relynt.js', import.meta.url)),
}

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface Running {
  child: ChildProcessWithoutNullStreams
  /** Resolves when stdout or stderr (so far) matches `pattern`; rejects if the command exits first. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<string>
  finished: Promise<Finished>
}

/** Settings of the machine running the tests that would change what the commands do. */
const inheritedNames = /^(RALIO_|RELYNT_|NO_COLOR$|FORCE_COLOR$)/

/**
 * Starts `command` with `args` and an environment of only what the test gives (plus
 * PATH and HOME), so settings of the machine running the tests cannot leak in.
 */
export function start(
  command: keyof typeof bins,
  args: string[],
  env: Record<string, string> = {},
  input = '',
): Running {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !inheritedNames.test(name)))
  const child = spawn(process.execPath, [bins[command], ...args], {
    env: { ...base, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  // A command may exit without reading its input (a usage error, a refusal): the pipe then
  // breaks, which is the command's choice, not a failure of the test.
  child.stdin.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
  child.stdin.end(input)
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const listener of listeners) listener()
  }
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    changed()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    changed()
  })
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      changed()
      resolve({ code, signal, stdout, stderr })
    })
  })
  let exited = false
  void finished.then(() => {
    exited = true
  })
  const waitFor = (pattern: RegExp, stream?: 'stdout' | 'stderr') =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const text = stream === 'stderr' ? stderr : stream === 'stdout' ? stdout : `${stdout}\n${stderr}`
        const match = pattern.exec(text)
        if (match) {
          listeners.delete(check)
          resolve(match[0])
        } else if (exited || child.exitCode !== null) {
          listeners.delete(check)
          reject(new Error(`${command} exited before printing ${pattern}\n${stdout}\n${stderr}`))
        }
      }
      listeners.add(check)
      check()
    })
  return { child, waitFor, finished }
}

/** Runs a command to its end. */
export function run(
  command: keyof typeof bins,
  args: string[],
  env: Record<string, string> = {},
  input = '',
): Promise<Finished> {
  return start(command, args, env, input).finished
}

/** Each line of stdout parsed as JSON. */
export function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown)
}
