import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The built command, as `npx x-mcp` runs it. */
export const xMcpBin = fileURLToPath(new URL('../../bin/x-mcp.js', import.meta.url))

/** An environment with nothing of the caller's Ralio or Relynt settings, plus `env`. */
export function cleanEnv(env: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(RALIO|RELYNT)_/.test(name)) base[name] = value
  }
  return { ...base, ...env }
}

/** Runs x-mcp to its end (a start-up failure), with stdin closed. */
export function runToExit(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [xMcpBin, ...args], {
      env: cleanEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

/** Starts x-mcp and resolves once its stderr printed a line matching `ready`. */
export function startUntil(args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(process.execPath, [xMcpBin, ...args], {
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  const waiters: Array<{ pattern: RegExp; resolve: (match: RegExpExecArray) => void }> = []
  const started = new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (ready.test(stderr)) resolve(stderr)
      for (const waiter of [...waiters]) {
        const match = waiter.pattern.exec(stderr)
        if (match) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(match)
        }
      }
    })
    child.on('error', reject)
    child.on('close', (code) =>
      reject(new Error(`x-mcp exited with ${code} before it was ready:\n${stderr}`)),
    )
  })
  return {
    child,
    started,
    /** Resolves with the first match of `pattern` in what the server logged so far or logs later. */
    logged: (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve) => {
        const match = pattern.exec(stderr)
        if (match) resolve(match)
        else waiters.push({ pattern, resolve })
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('close', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
