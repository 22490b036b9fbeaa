import { randomBytes } from 'node:crypto'
import { link, open, readFile, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
// The global `process` (Node, Bun and Deno all have it): importing `node:process` reads every
// lazy getter of it (process.report among them), about 1.5 ms at start-up for nothing.

/** Who holds a lock, as written into the lock file. */
export interface LockOwner {
  pid: number
  /** Absent when the runtime would not name the machine. */
  host?: string
  /** ISO 8601. */
  createdAt: string
}

export type LockAttempt =
  | { acquired: true; release: () => Promise<void> }
  | { acquired: false; owner: LockOwner | undefined }

export interface FolderLockOptions {
  /** A lock older than this is taken over whoever holds it. */
  staleAfterMs: number
  now?: () => number
}

/** A breaker left by a process that died while taking over a stale lock expires after this. */
const breakerStaleAfterMs = 30_000

/**
 * An exclusive lock between processes (and between calls in one process) on a path,
 * with only `node:fs` (so Node, Bun and Deno share it). The lock file is published with
 * `link()`, which fails atomically when it exists, so its owner record is always whole.
 *
 * A lock is stale, and taken over, when its owner on this host is no longer running, or
 * when it is older than `staleAfterMs` (an owner on another host sharing the folder
 * cannot be asked, and a process id may have been reused). Taking over happens under a
 * second, short-lived breaker lock, so two processes judging the same stale lock can't
 * both remove it and one of them then remove the other's new lock.
 */
export async function tryFolderLock(path: string, options: FolderLockOptions): Promise<LockAttempt> {
  const now = options.now ?? Date.now
  const host = thisHost()
  const owner: LockOwner = {
    pid: process.pid,
    ...(host !== undefined && { host }),
    createdAt: new Date(now()).toISOString(),
  }
  // The random part tells two holders in one process and millisecond apart on release.
  const record = `${JSON.stringify({ ...owner, lock: randomBytes(8).toString('hex') })}\n`
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(temporary, 'wx', 0o600)
  try {
    await handle.writeFile(record, 'utf8')
  } finally {
    await handle.close()
  }
  try {
    // Two rounds: the second follows the take-over of a stale lock.
    for (let round = 0; round < 2; round++) {
      try {
        await link(temporary, path)
        return { acquired: true, release: () => releaseIfOwned(path, record) }
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error
      }
      const held = await readRecord(path)
      if (held === undefined) continue // released meanwhile
      const heldOwner = parseOwner(held)
      if (!isStale(heldOwner, options.staleAfterMs, now())) return { acquired: false, owner: heldOwner }
      if (!(await breakStaleLock(path, held, now))) return { acquired: false, owner: heldOwner }
    }
    return { acquired: false, owner: parseOwner((await readRecord(path)) ?? '') }
  } finally {
    await unlink(temporary).catch(() => undefined)
  }
}

function isStale(owner: LockOwner | undefined, staleAfterMs: number, nowMs: number): boolean {
  // Published by link(), a record is never half-written: an unreadable one is not ours.
  if (owner === undefined) return true
  const age = nowMs - Date.parse(owner.createdAt)
  if (!(age <= staleAfterMs)) return true
  const host = thisHost()
  return host !== undefined && owner.host === host && !isRunning(owner.pid)
}

/**
 * This machine's name, or undefined where the runtime won't tell (Deno without
 * `--allow-sys`): the lock then records no host, and only age makes it stale.
 */
function thisHost(): string | undefined {
  try {
    return hostname()
  } catch {
    return undefined
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // Only ESRCH says it is gone. EPERM: it runs, as another user; anything else (a
    // runtime that can't probe with signal 0): assume it runs, and let age decide.
    return errorCode(error) !== 'ESRCH'
  }
}

async function breakStaleLock(path: string, staleRecord: string, now: () => number): Promise<boolean> {
  const breaker = `${path}.break`
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(breaker, 'wx', 0o600)
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
    const since = await stat(breaker).then(
      (stats) => stats.mtimeMs,
      () => undefined,
    )
    // Left by a process that died mid take-over: clear it for the next attempt.
    if (since !== undefined && now() - since > breakerStaleAfterMs)
      await unlink(breaker).catch(() => undefined)
    return false
  }
  await handle.close()
  try {
    // Remove the lock only if it is still the stale one we judged, not a new owner's.
    if ((await readRecord(path)) === staleRecord) await unlink(path).catch(() => undefined)
    return true
  } finally {
    await unlink(breaker).catch(() => undefined)
  }
}

async function releaseIfOwned(path: string, record: string): Promise<void> {
  if ((await readRecord(path)) === record) await unlink(path).catch(() => undefined)
}

async function readRecord(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>
    if (typeof value.pid === 'number' && typeof value.createdAt === 'string') {
      return {
        pid: value.pid,
        ...(typeof value.host === 'string' && { host: value.host }),
        createdAt: value.createdAt,
      }
    }
  } catch {}
  return undefined
}

export function errorCode(error: unknown): string | undefined {
  return (error as { code?: unknown } | undefined)?.code as string | undefined
}
