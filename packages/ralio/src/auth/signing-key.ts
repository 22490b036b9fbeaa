// jose's CryptoKey and JWK types resolve without the DOM lib, so the shipped declarations
// type-check in a plain Node project (the global CryptoKey and JsonWebKey are DOM-only).
import { createSecretScope, type SecretScope } from '@x/core/internal'
import { type CryptoKey, calculateJwkThumbprint, type JWK } from 'jose'
import { RalioConfigError } from '../errors.js'

/** The public half of a P-256 key, exactly the members RFC 7638 and DPoP use. */
export interface PublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
}

/**
 * A private key in any form a user may hold it: PKCS#8 PEM (or a JWK as JSON text),
 * a JWK object, a CryptoKey (extractable, so the public half can be derived) or a
 * CryptoKeyPair (for keys that must stay non-extractable).
 */
export type PrivateKeyInput = string | JWK | CryptoKey | KeyPair

/** A WebCrypto key pair, as `crypto.subtle.generateKey` returns it. */
export interface KeyPair {
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
}

/** A loaded ES256 key: what signs assertions and proofs, its public JWK and thumbprint. */
export interface SigningKey {
  readonly privateKey: CryptoKey
  readonly publicJwk: PublicJwk
  /** RFC 7638 SHA-256 thumbprint of `publicJwk` (the binding's `key_jkt`). */
  readonly jkt: string
  /**
   * The key's private material, and everything made with it or bound to it (proofs, client
   * assertions, tokens) once registered here, is scrubbed by value from errors and logs for
   * as long as the key is in use.
   */
  readonly secrets: SecretScope
}

const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256' } as const

export async function importSigningKey(input: PrivateKeyInput): Promise<SigningKey> {
  if (typeof input === 'string') {
    const text = input.trim()
    if (text.startsWith('{')) return importJwk(parseJwkText(text))
    return importPem(text)
  }
  if (isCryptoKeyPair(input)) return importCryptoKeyPair(input)
  if (isCryptoKey(input)) return importCryptoKey(input)
  if (typeof input === 'object' && input !== null) return importJwk(input)
  throw new RalioConfigError(
    'privateKey must be a PKCS#8 PEM string, a JWK, a CryptoKey or a CryptoKeyPair',
    { code: 'invalid_private_key' },
  )
}

/** Generates a new P-256 key pair; returns it loaded and as PKCS#8 PEM for storage. */
export async function generateSigningKey(): Promise<{ key: SigningKey; pem: string }> {
  const pair = (await crypto.subtle.generateKey(ecdsaP256, true, ['sign', 'verify'])) as KeyPair
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))
  const key = await importCryptoKeyPair(pair)
  const pem = toPem(pkcs8)
  addKeyMaterial(key.secrets, pem, (await crypto.subtle.exportKey('jwk', pair.privateKey)).d)
  return { key, pem }
}

/** RFC 7638 thumbprint (SHA-256, base64url) of a P-256 public key. */
export function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256')
}

async function importPem(pem: string): Promise<SigningKey> {
  if (pem.includes('ENCRYPTED PRIVATE KEY')) {
    throw new RalioConfigError(
      'The private key PEM is encrypted; store it unencrypted (PKCS#8) with mode 0600, or pass a CryptoKey',
      { code: 'invalid_private_key' },
    )
  }
  if (pem.includes('BEGIN EC PRIVATE KEY')) {
    throw new RalioConfigError(
      'The private key is a SEC1 "EC PRIVATE KEY"; convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt -in <file>`',
      { code: 'invalid_private_key' },
    )
  }
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem)
  if (match === null) {
    throw new RalioConfigError('privateKey is not a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")', {
      code: 'invalid_private_key',
    })
  }
  let der: Uint8Array
  try {
    der = Uint8Array.from(atob(match[1]!.replace(/\s+/g, '')), (char) => char.charCodeAt(0))
  } catch (cause) {
    throw new RalioConfigError('privateKey PEM body is not valid base64', {
      code: 'invalid_private_key',
      cause,
    })
  }
  let extractable: CryptoKey
  try {
    extractable = await crypto.subtle.importKey('pkcs8', der as BufferSource, ecdsaP256, true, ['sign'])
  } catch (cause) {
    throw new RalioConfigError('privateKey is not a P-256 (ES256) PKCS#8 key', {
      code: 'invalid_private_key',
      cause,
    })
  }
  const key = await importJwk(await crypto.subtle.exportKey('jwk', extractable))
  addKeyMaterial(key.secrets, pem)
  return key
}

async function importJwk(jwk: JWK): Promise<SigningKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new RalioConfigError('privateKey must be a P-256 (ES256) key: kty "EC", crv "P-256"', {
      code: 'invalid_private_key',
    })
  }
  if (!jwk.d) {
    throw new RalioConfigError('privateKey JWK has no private member "d": this is a public key', {
      code: 'invalid_private_key',
    })
  }
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }
  let privateKey: CryptoKey
  try {
    // Non-extractable from here on: nothing in the SDK needs the private bytes again.
    privateKey = await crypto.subtle.importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d },
      ecdsaP256,
      false,
      ['sign'],
    )
  } catch (cause) {
    throw new RalioConfigError('privateKey JWK is not a valid P-256 key', {
      code: 'invalid_private_key',
      cause,
    })
  }
  return signingKey(privateKey, publicJwk, jwk.d)
}

async function importCryptoKey(key: CryptoKey): Promise<SigningKey> {
  assertP256(key)
  if (key.type !== 'private') {
    throw new RalioConfigError('privateKey is a public CryptoKey; pass the private key', {
      code: 'invalid_private_key',
    })
  }
  if (!key.extractable) {
    throw new RalioConfigError(
      'privateKey is a non-extractable CryptoKey, so its public half cannot be derived; pass the CryptoKeyPair { privateKey, publicKey } instead',
      { code: 'invalid_private_key' },
    )
  }
  const jwk = await crypto.subtle.exportKey('jwk', key)
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }
  return signingKey(key, publicJwk, jwk.d)
}

async function importCryptoKeyPair(pair: KeyPair): Promise<SigningKey> {
  assertP256(pair.privateKey)
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }
  return signingKey(pair.privateKey, publicJwk, undefined)
}

async function signingKey(
  privateKey: CryptoKey,
  publicJwk: PublicJwk,
  privateMember: string | undefined,
): Promise<SigningKey> {
  const secrets = createSecretScope()
  addKeyMaterial(secrets, undefined, privateMember)
  return { privateKey, publicJwk, jkt: await jwkThumbprint(publicJwk), secrets }
}

/** The PEM as given, its base64 body on one line, and the JWK `d`: the forms a server may echo. */
function addKeyMaterial(secrets: SecretScope, pem: string | undefined, privateMember?: string): void {
  if (privateMember !== undefined) secrets.add(privateMember, 'key')
  const body = pem && /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]+?)-----END/.exec(pem)?.[1]
  if (body) {
    secrets.add(body.trim(), 'key')
    secrets.add(body.replace(/\s+/g, ''), 'key')
  }
}

function assertP256(key: CryptoKey): void {
  const algorithm = key.algorithm as EcKeyAlgorithm
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256' || !key.usages.includes('sign')) {
    throw new RalioConfigError('privateKey must be an ECDSA P-256 CryptoKey usable for "sign"', {
      code: 'invalid_private_key',
    })
  }
}

function parseJwkText(text: string): JWK {
  try {
    return JSON.parse(text) as JWK
  } catch (cause) {
    throw new RalioConfigError('privateKey looks like JSON but does not parse as a JWK', {
      code: 'invalid_private_key',
      cause,
    })
  }
}

// Duck-typed: CryptoKey is not a global constructor on every runtime we support.
function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === 'object' &&
    value !== null &&
    'algorithm' in value &&
    'usages' in value &&
    'type' in value &&
    'extractable' in value
  )
}

function isCryptoKeyPair(value: unknown): value is KeyPair {
  return (
    typeof value === 'object' &&
    value !== null &&
    isCryptoKey((value as KeyPair).privateKey) &&
    isCryptoKey((value as KeyPair).publicKey)
  )
}

function toPem(der: Uint8Array): string {
  let binary = ''
  for (const byte of der) binary += String.fromCharCode(byte)
  const lines = btoa(binary).match(/.{1,64}/g) ?? []
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`
}
