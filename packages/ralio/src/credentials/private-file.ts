import { randomBytes } from 'node:crypto'
import { constants, type Stats } from 'node:fs'
import { link, open, rename, stat, unlink } from 'node:fs/promises'
import { RalioConfigError } from '../errors.js'
import { errorCode } from './folder-lock.js'

/** No credentials file, key or refresh-token file is anywhere near this big. */
const maxPrivateFileBytes = 1024 * 1024

/**
 * Reads a small secret file (a key, `credentials.json`, a refresh token) safely: only a
 * regular file is read — a FIFO, socket, device or directory is refused at once instead
 * of blocking the read — and only up to 1 MiB. Returns `undefined` when there is no file.
 * `stats` describe the file that was read (not whatever is at the path a moment later).
 */
export async function readPrivateFile(
  path: string,
  what: string,
  code: string,
): Promise<{ text: string; stats: Stats } | undefined> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw fileSystemError(error, `read ${what}`, path, code)
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) {
      throw new RalioConfigError(
        `Cannot read ${what} ${path}: it is not a regular file (a ${fileKind(stats)}); point the path at the file itself`,
        { code },
      )
    }
    if (stats.size > maxPrivateFileBytes) {
      throw new RalioConfigError(
        `Cannot read ${what} ${path}: it is ${stats.size} bytes, more than any credential file holds; check the path`,
        { code },
      )
    }
    return { text: await handle.readFile('utf8'), stats }
  } catch (error) {
    throw fileSystemError(error, `read ${what}`, path, code)
  } finally {
    await handle.close().catch(() => undefined)
  }
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'directory'
  if (stats.isFIFO()) return 'named pipe'
  if (stats.isSocket()) return 'socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device'
  return 'special file'
}

/**
 * Writes `contents` at `path`, mode 0600, atomically: a new temporary file beside it
 * (`wx`: never through an existing file or symlink), synced, then renamed over the path
 * (`rename` replaces a symlink there, it never writes through it). With
 * `overwrite: false` an existing file is refused atomically (`EEXIST` is rethrown as is).
 */
export async function writePrivateFile(
  path: string,
  contents: string,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temporary, 'wx', 0o600)
    try {
      await handle.writeFile(contents, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    // link() refuses an existing target atomically; rename() replaces it atomically.
    if (options.overwrite === false) await link(temporary, path)
    else await rename(temporary, path)
  } catch (error) {
    if (errorCode(error) === 'EEXIST') throw error
    throw fileSystemError(error, 'write', path)
  } finally {
    await unlink(temporary).catch(() => undefined)
  }
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false
    throw error
  }
}

/**
 * A file-system failure as a `RalioConfigError` naming the path and what to do; the
 * original error stays as `cause`.
 */
export function fileSystemError(
  error: unknown,
  action: string,
  path: string,
  code?: string,
): RalioConfigError {
  if (RalioConfigError.isInstance(error)) return error
  const reason = errorCode(error)
  const fix =
    reason === 'EACCES' || reason === 'EPERM'
      ? `permission denied: it belongs to another user or its mode forbids it; run as its owner, fix it (chown/chmod ${path}), or point configDir elsewhere`
      : reason === 'EROFS'
        ? 'the file system is read-only; point configDir at a writable directory'
        : reason === 'ENOSPC'
          ? 'the disk is full; free space and try again'
          : reason === 'ENOTDIR' || reason === 'EISDIR'
            ? 'something of the wrong kind (a file for a directory, or the reverse) is in the way; remove or rename it'
            : `${reason ?? (error as Error | undefined)?.message ?? 'unknown error'}; check the path and its permissions`
  return new RalioConfigError(`Cannot ${action} ${path}: ${fix}`, {
    code:
      code ?? (reason === 'EACCES' || reason === 'EPERM' ? 'file_permission_denied' : 'file_system_error'),
    cause: error,
  })
}

export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
