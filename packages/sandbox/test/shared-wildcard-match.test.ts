import { describe, expect, it } from 'vitest'
import { type MatchMeter, matchesWildcard } from '../src/shared/wildcard-match.js'

describe('matchesWildcard', () => {
  it.each([
    ['/v1/receipts', '/v1/receipts', true],
    ['/v1/receipts', '/v1/receipts/rec_1', false],
    ['/v1/*', '/v1/receipts/rec_1/verify', true],
    ['/v1/*', '/v1/', true],
    ['/v1/*', '/v2/receipts', false],
    ['*', '', true],
    ['', '', true],
    ['', '/x', false],
    ['/v1/receipts/*/verify', '/v1/receipts/rec_1/verify', true],
    ['/v1/receipts/*/verify', '/v1/receipts/rec_1/verify/x', false],
    ['*/verify', '/a/verify/b/verify', true],
    ['/a*b*c', '/aXbYc', true],
    ['/a*b*c', '/aXcYb', false],
    ['/a**b', '/ab', true],
    ['crm:deal:*', 'crm:deal:123', true],
    ['crm:deal:*', 'CRM:deal:1', false],
    ['a.b:*', 'axb:1', false],
    ['(x)+?[y]$', '(x)+?[y]$', true],
  ])('%s against %s is %s', (pattern, text, expected) => {
    expect(matchesWildcard(pattern, text)).toBe(expected)
  })

  it('does bounded work for a dozen stars against a path they cannot match', () => {
    // As a regular expression (`.*` per star) this backtracks through ~10^12 ways to split the path.
    const pattern = `/${'a*'.repeat(12)}b`
    const path = `/${'a'.repeat(60)}`
    expect(path).toHaveLength(61)
    const meter: MatchMeter = { steps: 0 }
    expect(matchesWildcard(pattern, path, meter)).toBe(false)
    expect(meter.steps).toBeLessThanOrEqual(pattern.length * (path.length + 1))
  })

  it('does bounded work when a dozen stars do match', () => {
    const pattern = `/${'*a'.repeat(12)}*`
    const path = `/${'ba'.repeat(30)}`
    const meter: MatchMeter = { steps: 0 }
    expect(matchesWildcard(pattern, path, meter)).toBe(true)
    expect(meter.steps).toBeLessThanOrEqual(pattern.length * (path.length + 1))
  })
})
