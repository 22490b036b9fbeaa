import { spawn } from 'node:child_process'

export interface ChildResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Variables that would send a child's loopback requests to a proxy. */
const proxyVariables = ['http_proxy', 'https_proxy', 'all_proxy']

/**
 * The environment for a runtime under test: this process's, without proxy settings (the
 * children only talk to loopback), plus `extra`.
 */
export function childEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !proxyVariables.includes(name.toLowerCase())) env[name] = value
  }
  return { ...env, NO_COLOR: '1', ...extra }
}

/**
 * Runs a command to its end, or kills it after `timeoutMs` (the result then says so in
 * `stderr`); never rejects for a non-zero exit, so the caller can show what it printed.
 */
export function runChild(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs} ms]`
      child.kill('SIGKILL')
    }, options.timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** The last line of a child's stdout as JSON, or an error that shows everything it printed. */
export function lastJsonLine<T>(name: string, result: ChildResult): T {
  const line = result.stdout.trim().split('\n').at(-1) ?? ''
  if (result.code !== 0 || !line.startsWith('{')) {
    throw new Error(
      `${name} exited with ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    )
  }
  return JSON.parse(line) as T
}
