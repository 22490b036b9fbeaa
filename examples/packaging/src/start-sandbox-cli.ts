import { spawn } from 'node:child_process'
import { join } from 'node:path'

export interface SandboxCli {
  /** The variables the CLI prints for users to export. */
  env: Record<string, string>
  stop(): Promise<void>
}

/**
 * Starts the `x-sandbox` command an installed `@x/sandbox` ships and waits for the JSON
 * line with its URLs and credentials.
 */
export function startSandboxCli(projectDirectory: string, timeoutMs = 30_000): Promise<SandboxCli> {
  const bin = join(projectDirectory, 'node_modules', '.bin', 'x-sandbox')
  const child = spawn(bin, ['--json', '--stream-delay-ms', '0'], {
    cwd: projectDirectory,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`x-sandbox printed nothing usable within ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'))
      if (line === undefined || !stdout.includes('\n')) return
      clearTimeout(timer)
      try {
        resolve({ env: (JSON.parse(line) as { env: Record<string, string> }).env, stop })
      } catch (error) {
        void stop()
        reject(error)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`x-sandbox exited with ${code} before it was ready\n${stdout}\n${stderr}`))
    })
  })
}
