import { describe, expect, it } from 'vitest'
import { createSecretScope, redact, redactHeaders, redactText } from '../src/internal/index.js'

// Opaque values no pattern recognises: only exact-value redaction can catch them.
const SECRET = 'agt_7:Opaque9Value'

describe('exact-value redaction', () => {
  it('scrubs a registered value wherever it appears in free text', () => {
    const secrets = createSecretScope()
    secrets.add(SECRET, 'agentSecret')
    expect(redactText(`<p>unknown credential ${SECRET} (len 18)</p>`)).toBe(
      '<p>unknown credential [redacted] (len 18)</p>',
    )
  })

  it('scrubs it from parsed bodies, field names and header values', () => {
    const secrets = createSecretScope()
    secrets.add(SECRET)
    expect(redact({ echoed: SECRET, [SECRET]: 1, list: [`x${SECRET}x`] })).toEqual({
      echoed: '[redacted]',
      '[redacted]': 1,
      list: ['x[redacted]x'],
    })
    expect(redactHeaders({ 'www-authenticate': `Basic realm="${SECRET}"` })).toEqual({
      'www-authenticate': 'Basic realm="[redacted]"',
    })
  })

  it('scrubs the URL-encoded and JSON-escaped forms a server may echo', () => {
    const secrets = createSecretScope()
    const value = 'rt/+Opaque"Value'
    secrets.add(value)
    expect(redactText(`refresh_tok=${encodeURIComponent(value)}`)).toBe('refresh_tok=[redacted]')
    expect(redactText(JSON.stringify({ echo: value }))).toBe('{"echo":"[redacted]"}')
  })

  it('keeps only the latest values of a slot, so rotating tokens do not pile up', () => {
    const secrets = createSecretScope()
    for (let index = 0; index < 5; index++) secrets.add(`rotating-token-${index}`, 'accessToken', 2)
    expect(redactText('rotating-token-4 rotating-token-3 rotating-token-2')).toBe(
      '[redacted] [redacted] rotating-token-2',
    )
  })

  it('a slot filling up does not push out the values of another slot', () => {
    const secrets = createSecretScope()
    secrets.add(SECRET, 'agentSecret')
    for (let index = 0; index < 100; index++) secrets.add(`proof-number-${index}`, 'proof', 8)
    expect(redactText(`${SECRET} proof-number-99`)).toBe('[redacted] [redacted]')
  })

  it('ignores values too short to be a secret rather than blanking out words', () => {
    const secrets = createSecretScope()
    secrets.add('the')
    secrets.add(undefined)
    expect(redactText('the request failed')).toBe('the request failed')
  })

  it('finds secrets in one pass when many clients hold many of them, and forgets evicted ones', () => {
    const held = Array.from({ length: 30 }, (_, client) => {
      const secrets = createSecretScope()
      for (let index = 0; index < 10; index++) secrets.add(`client${client}-proof-${index}`, 'proof', 8)
      return secrets
    })
    expect(redactText('x client29-proof-9 y client0-proof-2 z')).toBe('x [redacted] y [redacted] z')
    // Evicted by the slot's limit of 8: no longer a secret.
    expect(redactText('client0-proof-1')).toBe('client0-proof-1')
    expect(held).toHaveLength(30)
  })

  it('scrubs the secrets of every live scope', () => {
    createSecretScope().add('first-client-secret')
    createSecretScope().add('second-client-secret')
    expect(redactText('first-client-secret / second-client-secret')).toBe('[redacted] / [redacted]')
  })
})

describe('the registration ticket', () => {
  it('is a secret field name and a secret parameter', () => {
    expect(redact({ ticket: 'ralio-reg-abc123', ticket_id: 'x' })).toEqual({
      ticket: '[redacted]',
      ticket_id: '[redacted]',
    })
    expect(redactText('refused ticket=ralio-reg-abc123 for host')).toBe('refused ticket=[redacted] for host')
  })
})
