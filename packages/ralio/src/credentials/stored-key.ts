import { importSigningKey, type PrivateKeyInput, type SigningKey } from '../auth/signing-key.js'
import { RalioConfigError } from '../errors.js'
import type { StoredCredentials } from './credential-store.js'

/** The private key a store gave, under any of its names (the official ones first). */
export function storedKeyInput(credentials: StoredCredentials): PrivateKeyInput | undefined {
  return credentials.privateKeyPem ?? credentials.privateJwk ?? credentials.privateKey
}

/**
 * Loads the key a store gave and checks the `kid` and `publicJwk` stored beside it:
 * metadata that names another key means the store mixed up two bindings.
 * `where` names the store in messages (" in ~/.ralio", or "").
 */
export async function loadStoredKey(
  credentials: StoredCredentials,
  where: string,
): Promise<SigningKey | undefined> {
  const input = storedKeyInput(credentials)
  if (input === undefined) return undefined
  const key = await importSigningKey(input)
  if (credentials.kid && credentials.kid !== key.jkt) {
    throw new RalioConfigError(
      `The stored key's thumbprint (${key.jkt}) is not the stored kid (${credentials.kid})${where}; the key belongs to another binding`,
      { code: 'key_mismatch' },
    )
  }
  const publicJwk = credentials.publicJwk
  if (
    publicJwk !== undefined &&
    (publicJwk.kty !== 'EC' ||
      publicJwk.crv !== 'P-256' ||
      publicJwk.x !== key.publicJwk.x ||
      publicJwk.y !== key.publicJwk.y)
  ) {
    throw new RalioConfigError(
      `The stored publicJwk${where} is not the public half of the stored private key (thumbprint ${key.jkt}); the two belong to different bindings`,
      { code: 'key_mismatch' },
    )
  }
  return key
}
