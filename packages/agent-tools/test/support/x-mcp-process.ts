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
  const started = new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (ready.test(stderr)) resolve(stderr)
    })
    child.on('error', reject)
    child.on('close', (code) =>
      reject(new Error(`x-mcp exited with ${code} before it was ready:\n${stderr}`)),
    )
  })
  return {
    child,
    started,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('close', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
