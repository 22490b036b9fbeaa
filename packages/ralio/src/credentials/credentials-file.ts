import type { StoredTokens } from './credential-store.js'

/**
 * `credentials.json` as the Python SDK and the CLI write it. Keys we don't know are
 * carried through every rewrite untouched. The key is found by `key_path` or, without
 * it, at `keys/<key_jkt>.pem`; one of the two must be there.
 */
export interface CredentialsFile {
  client_id: string
  key_jkt?: string
  key_path?: string
  access_token?: string
  refresh_token?: string
  expires_in?: number
  obtained_at?: number
  scope?: string
  auth_method?: string
  [unknown: string]: unknown
}

const accessTokenFields = ['access_token', 'expires_in', 'obtained_at', 'scope'] as const

export function parseCredentialsFile(text: string, where: string): CredentialsFile {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new TypeError(`${where} is not valid JSON`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`${where} does not hold a JSON object`)
  }
  const record = parsed as Record<string, unknown>
  if (typeof record.client_id !== 'string' || record.client_id === '') {
    throw new TypeError(`${where} has no "client_id"`)
  }
  const named = (field: string) => typeof record[field] === 'string' && record[field] !== ''
  if (!named('key_path') && !named('key_jkt')) {
    throw new TypeError(`${where} has neither "key_path" nor "key_jkt", so its key cannot be found`)
  }
  if (record.key_jkt !== undefined && typeof record.key_jkt !== 'string') {
    throw new TypeError(`${where} has a "key_jkt" that is not a string`)
  }
  return record as CredentialsFile
}

export function tokensFromFile(file: CredentialsFile): StoredTokens | undefined {
  const tokens: StoredTokens = {}
  if (typeof file.access_token === 'string') tokens.accessToken = file.access_token
  if (typeof file.refresh_token === 'string') tokens.refreshToken = file.refresh_token
  if (typeof file.expires_in === 'number') tokens.expiresIn = file.expires_in
  // The Python SDK writes time.time(), a float; the CLI and Node write whole seconds.
  if (typeof file.obtained_at === 'number' && Number.isFinite(file.obtained_at))
    tokens.obtainedAt = file.obtained_at
  if (typeof file.scope === 'string') tokens.scope = file.scope
  return Object.keys(tokens).length === 0 ? undefined : tokens
}

/**
 * Replaces the access-token fields of `file` (dropping stale ones), keeping every other
 * key. A `refresh_token` already there is left as it is: it is some other process's.
 */
export function withAccessToken(file: CredentialsFile, tokens: StoredTokens | undefined): CredentialsFile {
  const next: CredentialsFile = { ...file }
  for (const field of accessTokenFields) delete next[field]
  if (tokens?.accessToken !== undefined) next.access_token = tokens.accessToken
  if (tokens?.expiresIn !== undefined) next.expires_in = tokens.expiresIn
  if (tokens?.obtainedAt !== undefined) next.obtained_at = tokens.obtainedAt
  if (tokens?.scope !== undefined) next.scope = tokens.scope
  next.auth_method ??= 'private_key_jwt'
  return next
}
