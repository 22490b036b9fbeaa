import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { RelyntError } from '../src/errors.js'
import { computeRequestHash } from '../src/request-hash.js'

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`

describe('computeRequestHash', () => {
  it('hashes the RFC 8785 canonical JSON of the body', async () => {
    const body = {
      resource: 'crm:deal:123',
      action: 'update_deal',
      instance_id: 'run-1',
      payload: { b: 2, a: 1 },
    }
    expect(await computeRequestHash(body)).toBe(
      sha256(
        '{"action":"update_deal","instance_id":"run-1","payload":{"a":1,"b":2},"resource":"crm:deal:123"}',
      ),
    )
  })

  it('ignores key order and number spelling, as canonical JSON does', async () => {
    const one = await computeRequestHash(JSON.parse('{"amount": 1.50e4, "stage": "open"}'))
    const two = await computeRequestHash(JSON.parse('{"stage": "open", "amount": 15000}'))
    expect(one).toBe(two)
  })

  it('changes when any value changes', async () => {
    const one = await computeRequestHash({ action: 'pay', payload: { amount: 100 } })
    const two = await computeRequestHash({ action: 'pay', payload: { amount: 101 } })
    expect(one).not.toBe(two)
    expect(one).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('rejects a value with no JSON form with a RelyntError', async () => {
    await expect(computeRequestHash(undefined)).rejects.toSatisfy(
      (error) => RelyntError.isInstance(error) && error.code === 'invalid_argument',
    )
    await expect(computeRequestHash({ amount: Number.NaN })).rejects.toThrow(/cannot be hashed/)
  })
})
