import { mkdir, rm } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { expandHome } from './credential-folder.js'
import { fileSystemError, prettyJson, readPrivateFile, writePrivateFile } from './private-file.js'

/**
 * One instance's refresh token in a file of its own (without a path, nothing is kept:
 * the token manager holds its family in memory). The file is read in either official
 * format (the Node SDK's bare token, the Python SDK's `{"refresh_token": …}`) and
 * rewritten in the one it had.
 */
export class RefreshTokenFile {
  readonly #path: string | undefined
  #json: boolean

  constructor(options: { path?: string | undefined; json?: boolean } = {}) {
    this.#path = options.path === undefined ? undefined : resolve(expandHome(options.path))
    this.#json = options.json === true
  }

  async load(): Promise<string | null> {
    if (this.#path === undefined) return null
    const read = await readPrivateFile(this.#path, 'the refresh-token file', 'refresh_token_unreadable')
    const trimmed = read?.text.trim() ?? ''
    if (!trimmed.startsWith('{')) return trimmed === '' ? null : trimmed
    this.#json = true
    const parsed = safeJson(trimmed) as { refresh_token?: unknown } | undefined
    return typeof parsed?.refresh_token === 'string' && parsed.refresh_token !== ''
      ? parsed.refresh_token
      : null
  }

  async save(refreshToken: string | null): Promise<void> {
    const path = this.#path
    if (path === undefined) return
    try {
      if (refreshToken === null) {
        await rm(path, { force: true })
        return
      }
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      await writePrivateFile(
        path,
        this.#json ? prettyJson({ refresh_token: refreshToken }) : `${refreshToken}\n`,
      )
    } catch (error) {
      throw fileSystemError(error, 'write', path)
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
