import { randomBytes } from 'node:crypto'
import type { Clock } from '../shared/clock.js'

export interface AccessTokenRecord {
  clientId: string
  scopes: string[]
  /** RFC 9449 `cnf.jkt`: the thumbprint of the key every proof must be signed with. */
  jkt: string
  expiresAtMs: number
  familyId: string
  revoked: boolean
}

interface RefreshTokenRecord {
  clientId: string
  scopes: string[]
  jkt: string
  expiresAtMs: number
  familyId: string
  /** Set once it has been exchanged; presenting it again is a replay. */
  rotated: boolean
}

interface TokenFamily {
  clientId: string
  revoked: boolean
  accessTokens: Set<string>
  refreshTokens: Set<string>
}

export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  expiresIn: number
  scopes: string[]
}

export type AccessTokenLookup =
  | { status: 'valid'; record: AccessTokenRecord }
  | { status: 'unknown' | 'expired' | 'revoked' }

export type RefreshResult =
  | { status: 'rotated'; tokens: IssuedTokens; clientId: string; jkt: string }
  | { status: 'unknown' | 'expired' | 'revoked' | 'wrong_client' | 'replayed' | 'scope_too_wide' }

const refreshLifetimeMs = 30 * 24 * 60 * 60 * 1000

/**
 * Opaque access and refresh tokens. Each client_credentials grant starts a family;
 * every refresh rotates within it, and presenting an already-rotated refresh token
 * revokes the whole family (OAuth 2.1 §4.3.1 refresh token replay detection).
 */
export class TokenStore {
  readonly #clock: Clock
  readonly #accessTokens = new Map<string, AccessTokenRecord>()
  readonly #refreshTokens = new Map<string, RefreshTokenRecord>()
  readonly #families = new Map<string, TokenFamily>()
  accessTokenLifetimeSeconds = 1800
  familyRevocations = 0

  constructor(clock: Clock) {
    this.#clock = clock
  }

  issue(input: { clientId: string; scopes: string[]; jkt: string }): IssuedTokens {
    const familyId = randomBytes(12).toString('hex')
    this.#families.set(familyId, {
      clientId: input.clientId,
      revoked: false,
      accessTokens: new Set(),
      refreshTokens: new Set(),
    })
    return this.#issueInFamily(familyId, input)
  }

  lookupAccessToken(token: string): AccessTokenLookup {
    const record = this.#accessTokens.get(token)
    if (!record) return { status: 'unknown' }
    if (record.revoked) return { status: 'revoked' }
    if (this.#clock.now() >= record.expiresAtMs) return { status: 'expired' }
    return { status: 'valid', record }
  }

  /** `scopes`, when given, narrows the new tokens; it may not widen the grant. */
  refresh(refreshToken: string, clientId: string, scopes?: string[]): RefreshResult {
    const record = this.#refreshTokens.get(refreshToken)
    if (!record) return { status: 'unknown' }
    if (record.clientId !== clientId) return { status: 'wrong_client' }
    const family = this.#families.get(record.familyId)
    if (!family || family.revoked) return { status: 'revoked' }
    if (record.rotated) {
      this.#revokeFamily(family)
      this.familyRevocations += 1
      return { status: 'replayed' }
    }
    if (this.#clock.now() >= record.expiresAtMs) return { status: 'expired' }
    if (scopes?.some((scope) => !record.scopes.includes(scope))) return { status: 'scope_too_wide' }
    record.rotated = true
    const tokens = this.#issueInFamily(record.familyId, { ...record, scopes: scopes ?? record.scopes })
    return { status: 'rotated', tokens, clientId: record.clientId, jkt: record.jkt }
  }

  /** Revokes every token of one client, or of every client. */
  revoke(clientId?: string): void {
    for (const family of this.#families.values()) {
      if (clientId === undefined || family.clientId === clientId) this.#revokeFamily(family)
    }
  }

  #issueInFamily(familyId: string, input: { clientId: string; scopes: string[]; jkt: string }): IssuedTokens {
    const family = this.#families.get(familyId)!
    const now = this.#clock.now()
    const expiresIn = this.accessTokenLifetimeSeconds
    const accessToken = `ralio_at_${randomBytes(32).toString('base64url')}`
    const refreshToken = `ralio_rt_${randomBytes(32).toString('base64url')}`
    const common = { clientId: input.clientId, scopes: [...input.scopes], jkt: input.jkt, familyId }
    this.#accessTokens.set(accessToken, { ...common, expiresAtMs: now + expiresIn * 1000, revoked: false })
    this.#refreshTokens.set(refreshToken, { ...common, expiresAtMs: now + refreshLifetimeMs, rotated: false })
    family.accessTokens.add(accessToken)
    family.refreshTokens.add(refreshToken)
    return { accessToken, refreshToken, expiresIn, scopes: common.scopes }
  }

  #revokeFamily(family: TokenFamily): void {
    family.revoked = true
    for (const token of family.accessTokens) {
      const record = this.#accessTokens.get(token)
      if (record) record.revoked = true
    }
  }
}
