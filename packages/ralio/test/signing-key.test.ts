import { redactText } from '@x/core/internal'
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { generateSigningKey, importSigningKey, jwkThumbprint } from '../src/auth/signing-key.js'
import { RalioConfigError } from '../src/errors.js'

describe('signing keys', () => {
  it('generates a P-256 key whose PEM re-imports to the same thumbprint', async () => {
    const { key, pem } = await generateSigningKey()
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/)
    expect(key.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) })
    const again = await importSigningKey(pem)
    expect(again.jkt).toBe(key.jkt)
    expect(again.privateKey.extractable).toBe(false)
  })

  it('registers the key material it loads, so an echo of it is scrubbed by value', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const pem = await exportPKCS8(privateKey)
    const { d } = await exportJWK(privateKey)
    const body = pem
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('-----'))
      .join('')
    await importSigningKey(pem)
    expect(redactText(`private member ${d}`)).toBe('private member [redacted]')
    expect(redactText(`key ${body} end`)).toBe('key [redacted] end')
  })

  it('computes the RFC 7638 thumbprint jose computes', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true })
    const jwk = await exportJWK(publicKey)
    const publicJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x!, y: jwk.y! }
    expect(await jwkThumbprint(publicJwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'))
  })

  it('matches the RFC 7638 thumbprint of a fixed key', async () => {
    // Computed independently: base64url(SHA-256('{"crv":"P-256","kty":"EC","x":"…","y":"…"}')).
    const jwk = {
      kty: 'EC' as const,
      crv: 'P-256' as const,
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    }
    const canonical = `{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)))
    const expected = Buffer.from(digest).toString('base64url')
    expect(await jwkThumbprint(jwk)).toBe(expected)
  })

  it('imports a PKCS#8 PEM, a JWK object, JWK text, an extractable CryptoKey and a CryptoKeyPair alike', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true })
    const pem = await exportPKCS8(pair.privateKey)
    const jwk = await exportJWK(pair.privateKey)
    const fromPem = await importSigningKey(pem)
    for (const input of [jwk, JSON.stringify(jwk), pair.privateKey, pair]) {
      expect((await importSigningKey(input)).jkt).toBe(fromPem.jkt)
    }
  })

  it('imports a non-extractable key when given as a pair', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    const key = await importSigningKey(pair)
    expect(key.privateKey).toBe(pair.privateKey)
  })

  it('refuses a lone non-extractable CryptoKey, asking for the pair', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    await expect(importSigningKey(pair.privateKey)).rejects.toThrow(/CryptoKeyPair/)
  })

  it.each([
    ['a SEC1 PEM', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----', /openssl pkcs8/],
    [
      'an encrypted PEM',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----',
      /encrypted/,
    ],
    ['random text', 'not a key', /PKCS#8/],
    ['a public JWK', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, /public key/],
    ['an RSA JWK', { kty: 'RSA', n: 'AA', e: 'AQAB', d: 'AA' }, /P-256/],
  ])('refuses %s with a RalioConfigError', async (_name, input, message) => {
    const error = await importSigningKey(input as never).catch((caught: unknown) => caught)
    expect(RalioConfigError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(message)
  })

  it('refuses a P-384 PEM', async () => {
    const pair = await generateKeyPair('ES384', { extractable: true })
    await expect(importSigningKey(await exportPKCS8(pair.privateKey))).rejects.toThrow(/P-256/)
  })
})
