import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { workspaceExecArgv } from './workspace.ts'

export interface SandboxProcess {
  ralioUrl: string
  relyntUrl: string
  /** What both `/__admin` APIs require (`Authorization: Bearer …`), for a child process of a benchmark. */
  adminToken: string
  /** Calls an `/__admin` route of one sandbox over HTTP; returns the parsed JSON. */
  admin(origin: string, method: string, path: string, body?: unknown): Promise<unknown>
  close(): Promise<void>
}

/**
 * Runs `script` (next to this file) in a child process that prints one JSON line when it is
 * ready and stops when its standard input closes; returns that line, parsed, and a `close`.
 */
export async function startChildServer<T>(script: string): Promise<{ ready: T; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [...workspaceExecArgv, fileURLToPath(new URL(script, import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const lines = createInterface({ input: child.stdout })
  const [first] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`${script} exited before it was ready`)
    }),
  ])) as [string]
  return {
    ready: JSON.parse(first) as T,
    async close() {
      const exited = once(child, 'exit')
      child.stdin.end()
      await exited
    },
  }
}

/** Starts the Ralio and Relynt sandboxes in a child process. */
export async function startSandboxProcess(): Promise<SandboxProcess> {
  const { ready, close } = await startChildServer<{
    ralioUrl: string
    relyntUrl: string
    adminToken: string
  }>('./sandbox-server.ts')
  const { ralioUrl, relyntUrl, adminToken } = ready
  return {
    ralioUrl,
    relyntUrl,
    adminToken,
    async admin(origin, method, path, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const response = await fetch(`${origin}/__admin${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} /__admin${path} answered ${response.status}: ${text}`)
      return text === '' ? undefined : JSON.parse(text)
    },
    close,
  }
}
