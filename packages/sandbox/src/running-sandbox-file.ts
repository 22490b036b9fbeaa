import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

/** What a running `x-sandbox` leaves for `x-sandbox approve|deny|ticket|console` in another terminal. */
export interface RunningSandbox {
  pid: number
  ralioUrl: string
  relyntUrl: string
  adminToken: string
}

/**
 * Where a running `x-sandbox` records its URLs and admin token: `$X_SANDBOX_STATE_FILE`, else
 * `$XDG_RUNTIME_DIR/x-sandbox/running.json` (a per-user, memory-backed directory), else
 * `~/.local/state/x-sandbox/running.json`. The file is the user's alone (0600 in a 0700 folder).
 */
export function runningSandboxFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.X_SANDBOX_STATE_FILE) return env.X_SANDBOX_STATE_FILE
  const base = env.XDG_RUNTIME_DIR || join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'))
  return join(base, 'x-sandbox', 'running.json')
}

export async function writeRunningSandboxFile(path: string, running: RunningSandbox): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  await writeFile(path, `${JSON.stringify(running)}\n`, { mode: 0o600 })
  // mode applies only when the file is created; an older file keeps its own.
  await chmod(path, 0o600)
}

/** The running sandbox the file names, or undefined when there is no (readable) file. */
export async function readRunningSandboxFile(path: string): Promise<RunningSandbox | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return undefined
  }
  try {
    const parsed = JSON.parse(text) as Partial<RunningSandbox>
    if (
      typeof parsed.relyntUrl === 'string' &&
      typeof parsed.ralioUrl === 'string' &&
      typeof parsed.adminToken === 'string' &&
      typeof parsed.pid === 'number'
    ) {
      return parsed as RunningSandbox
    }
  } catch {}
  return undefined
}

/** Removes the file if it still describes this process (a newer x-sandbox may have replaced it). */
export async function removeRunningSandboxFile(path: string, pid: number): Promise<void> {
  const running = await readRunningSandboxFile(path)
  if (running?.pid === pid) await rm(path, { force: true })
}
