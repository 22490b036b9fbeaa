import { spawn } from 'node:child_process'

export interface RunOptions {
  cwd: string
  env?: Record<string, string | undefined>
  /** Kills the command after this long; default 120 000. */
  timeoutMs?: number
}

export interface RunResult {
  stdout: string
  stderr: string
}

export interface ExitResult extends RunResult {
  /** The exit code; null when the command was killed. */
  code: number | null
}

/**
 * Runs a command to completion and resolves to its output; rejects with that output
 * when it exits non-zero or runs too long, so a failing step explains itself.
 */
export async function runCommand(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const result = await runForExit(command, args, options)
  if (result.code === 0) return result
  const timeoutMs = options.timeoutMs ?? 120_000
  const how = result.code === null ? `was killed after ${timeoutMs} ms` : `exited with ${result.code}`
  throw new Error(
    `\`${command} ${args.join(' ')}\` in ${options.cwd} ${how}\n${result.stdout}\n${result.stderr}`.trim(),
  )
}

/** Runs a command to completion and resolves to its exit code and output, whatever the code. */
export function runForExit(command: string, args: string[], options: RunOptions): Promise<ExitResult> {
  const timeoutMs = options.timeoutMs ?? 120_000
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/**
 * npm settings a person or CI gives on purpose (where the registry is, how to trust it, where
 * to cache): kept, so a proxy's CA or a fresh cache reaches the npm these tests run.
 */
const userNpmSettings =
  /^npm_config_(cafile|ca|cert|key|strict_ssl|registry|proxy|https_proxy|http_proxy|noproxy|no_proxy|cache|globalconfig|userconfig|prefer_offline|offline|fetch_[a-z_]+)$/i

/**
 * Environment for a plain `npm` run: drops the `npm_*` and `pnpm_*` variables pnpm sets
 * for its scripts, which npm would otherwise read as its own configuration, and keeps the
 * network, trust and cache settings above.
 */
export function plainNpmEnvironment(): Record<string, undefined> {
  return Object.fromEntries(
    Object.keys(process.env)
      .filter((name) => /^(npm|pnpm)_/i.test(name) && !userNpmSettings.test(name))
      .map((name) => [name, undefined]),
  )
}
