import { exportJWK, importPKCS8 } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as ours from '../src/credentials/credential-store.js'
import { RalioRegistrationError } from '../src/errors.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'
import { type RalioSandbox, startSandbox } from './sandbox.js'

// The official Node SDK's credential contract (`src/credentials.ts`, `src/crypto.ts`),
// written out here member for member: a store written against these types must work
// with this SDK unchanged.
interface PublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
}
interface PrivateJwk extends PublicJwk {
  d: string
}
interface StoredCredentials {
  clientId?: string
  privateKeyPem?: string
  privateJwk?: PrivateJwk
  publicJwk?: PublicJwk
  kid?: string
  refreshToken?: string | null
}
interface CredentialStore {
  load(): Promise<StoredCredentials>
  saveRefreshToken(refreshToken: string | null): Promise<void>
}
interface WritableCredentialStore extends CredentialStore {
  saveCredentials(credentials: StoredCredentials): Promise<void>
}

/** A store as an official-SDK user writes one: a database row, here an object. */
class RowStore implements WritableCredentialStore {
  row: StoredCredentials = {}
  readonly saves: StoredCredentials[] = []

  async load(): Promise<StoredCredentials> {
    return { ...this.row }
  }

  async saveCredentials(credentials: StoredCredentials): Promise<void> {
    this.saves.push({ ...credentials })
    this.row = { ...this.row, ...credentials }
  }

  async saveRefreshToken(refreshToken: string | null): Promise<void> {
    this.row = { ...this.row, refreshToken }
  }
}

/** The same store declared against this SDK's types: it must compile unchanged. */
class RowStoreOfOurs implements ours.WritableCredentialStore {
  row: ours.StoredCredentials = {}
  async load(): Promise<ours.StoredCredentials> {
    return { ...this.row }
  }
  async saveCredentials(credentials: ours.StoredCredentials): Promise<void> {
    this.row = { ...this.row, ...credentials }
  }
  async saveRefreshToken(refreshToken: string | null): Promise<void> {
    this.row = { ...this.row, refreshToken }
  }
}

describe('a credential store written for the official SDK', () => {
  let sandbox: RalioSandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())

  it('has types that fit ours (checked by the type-check of this file)', () => {
    const official: ours.WritableCredentialStore = new RowStore()
    const loaded: ours.StoredCredentials = {} as StoredCredentials
    const readOnly: ours.CredentialStore = {
      load: async () => ({}) as StoredCredentials,
      saveRefreshToken: async () => {},
    }
    expect([official, loaded, readOnly]).toHaveLength(3)
  })

  it('registers into it (key first, then the binding with its refresh token) and the client uses it', async () => {
    const store = new RowStore()
    const registration = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      credentialStore: store,
    })
    expect(store.saves).toHaveLength(2)
    const [keyOnly, binding] = store.saves
    expect(keyOnly).toEqual({
      privateKeyPem: expect.stringContaining('BEGIN PRIVATE KEY'),
      publicJwk: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) },
      kid: registration.jkt,
    })
    expect(binding).toEqual({
      ...keyOnly,
      clientId: registration.clientId,
      refreshToken: expect.any(String),
    })
    expect(registration.keyPath).toBeUndefined()

    await using client = new RalioClient({ baseUrl: sandbox.url, credentialStore: store })
    expect(await client.agents.list()).toHaveLength(1)
    expect(client.clientId).toBe(registration.clientId)
  })

  it('works with the key kept as a private JWK too', async () => {
    const store = new RowStoreOfOurs()
    const { clientId } = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      credentialStore: store,
    })
    const privateJwk = await exportJWK(
      await importPKCS8(store.row.privateKeyPem!, 'ES256', { extractable: true }),
    )
    const jwkOnly = new RowStoreOfOurs()
    jwkOnly.row = { clientId, privateJwk, kid: store.row.kid! }
    await using client = new RalioClient({ baseUrl: sandbox.url, credentialStore: jwkOnly })
    expect(await client.agents.list()).toHaveLength(1)
  })

  it('refuses a stored publicJwk that is not the key’s public half', async () => {
    const store = new RowStore()
    await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, credentialStore: store })
    store.row.publicJwk = { ...store.row.publicJwk!, x: store.row.publicJwk!.y }
    await using client = new RalioClient({ baseUrl: sandbox.url, credentialStore: store })
    await expect(client.agents.list()).rejects.toMatchObject({ code: 'key_mismatch' })
  })

  it('keeps the ticket’s refusal a RalioRegistrationError and saves no binding', async () => {
    const store = new RowStore()
    const error = await register({
      ticket: 'ralio-reg-doesnotexist',
      baseUrl: sandbox.url,
      credentialStore: store,
    }).catch((caught: unknown) => caught)
    expect(RalioRegistrationError.isInstance(error)).toBe(true)
    expect(store.saves.map((save) => save.clientId)).toEqual([undefined])
  })
})
