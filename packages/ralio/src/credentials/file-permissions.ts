import type { Stats } from 'node:fs'
import { chmod, lstat, mkdir, stat } from 'node:fs/promises'
import type { Logger } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import { expandHome } from './credential-folder.js'
import { errorCode } from './folder-lock.js'
import { fileSystemError, readPrivateFile } from './private-file.js'

// POSIX modes and owners mean nothing on Windows, where ACLs govern access instead.
const posix = process.platform !== 'win32'

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0')

/** Root may read anything anyway; any other owner but us could swap the file. */
function foreignOwner(stats: Stats): boolean {
  const uid = currentUid()
  return uid !== undefined && stats.uid !== uid && stats.uid !== 0
}

// Deno refuses process.getuid() without --allow-sys; there the owner check is skipped, as on Windows.
function currentUid(): number | undefined {
  try {
    return process.getuid?.()
  } catch {
    return undefined
  }
}

/**
 * Reads a PKCS#8 PEM key. A key group or others can *read* loads with a warning (the
 * official SDKs load it, and Kubernetes mounts secrets 0644); one they can *write*, or
 * one owned by another user, is refused: whoever can replace the key can act as us.
 */
export async function readPrivateKeyFile(path: string, warn?: (message: string) => void): Promise<string> {
  path = expandHome(path)
  const read = await readPrivateFile(path, 'the private key file', 'private_key_unreadable')
  if (read === undefined) {
    throw new RalioConfigError(`Private key file ${path} does not exist; register again or fix key_path`, {
      code: 'private_key_missing',
    })
  }
  const { stats, text } = read
  if (posix && (stats.mode & 0o022) !== 0) {
    throw new RalioConfigError(
      `Private key file ${path} is writable by group or others (mode ${octal(stats.mode)}), so anyone on the host could replace it; fix it with: chmod 600 ${path}`,
      { code: 'private_key_permissions' },
    )
  }
  if (posix && foreignOwner(stats)) {
    throw new RalioConfigError(
      `Private key file ${path} belongs to another user (uid ${stats.uid}), who could replace it; fix it with: chown $(id -u) ${path}`,
      { code: 'private_key_permissions' },
    )
  }
  if (posix && (stats.mode & 0o044) !== 0) {
    warn?.(
      `Private key file ${path} is readable by group or others (mode ${octal(stats.mode)}); unless it is a mounted secret, fix it with: chmod 600 ${path}`,
    )
  }
  return text
}

/** A file holding tokens is readable by group or others: the message to log, if so. */
export function sharedFileWarning(path: string, stats: Stats): string | undefined {
  if (!posix || (stats.mode & 0o077) === 0) return undefined
  return `${path} is readable by group or others (mode ${octal(stats.mode)}) and holds tokens; fix it with: chmod 600 ${path}`
}

/**
 * Makes `path` a directory only we can enter (0700): creates it so, or tightens an
 * existing one we own that group or others can reach (logged). One owned by someone else
 * is refused with the fix. With `noSymlink`, a symlink at the path is refused rather than
 * followed (where keys are written, a link could send them anywhere).
 */
export async function ensurePrivateDirectory(
  path: string,
  options: { logger?: Logger; noSymlink?: boolean } = {},
): Promise<void> {
  let stats: Stats
  try {
    stats = await lstat(path)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw fileSystemError(error, 'inspect the directory', path)
    try {
      await mkdir(path, { recursive: true, mode: 0o700 })
      // mkdir's mode is filtered by the umask; the layout wants exactly 0700.
      if (posix) await chmod(path, 0o700)
    } catch (mkdirError) {
      throw fileSystemError(mkdirError, 'create the directory', path)
    }
    return
  }
  if (stats.isSymbolicLink()) {
    if (options.noSymlink === true) {
      throw new RalioConfigError(
        `${path} is a symbolic link; keys are never written through one. Replace it with a real directory (mode 0700) or choose privateKeyPath`,
        { code: 'unsafe_key_folder' },
      )
    }
    stats = await stat(path).catch((error: unknown) => {
      throw fileSystemError(error, 'inspect the directory', path)
    })
  }
  if (!stats.isDirectory()) {
    throw fileSystemError(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }), 'use', path)
  }
  if (!posix || (stats.mode & 0o077) === 0) return
  if (foreignOwner(stats)) {
    throw new RalioConfigError(
      `${path} belongs to another user (uid ${stats.uid}) and group or others can reach it (mode ${octal(stats.mode)}); use a folder of your own (configDir) or fix it with: chown $(id -u) ${path} && chmod 700 ${path}`,
      { code: 'config_dir_permissions' },
    )
  }
  try {
    await chmod(path, 0o700)
  } catch (error) {
    throw new RalioConfigError(
      `${path} is reachable by group or others (mode ${octal(stats.mode)}) and could not be tightened; fix it with: chmod 700 ${path}`,
      { code: 'config_dir_permissions', cause: error },
    )
  }
  options.logger?.warn(
    `${path} was reachable by group or others (mode ${octal(stats.mode)}); tightened it to 0700`,
  )
}
