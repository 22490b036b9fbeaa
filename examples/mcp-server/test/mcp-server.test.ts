import { expect, it } from 'vitest'
import { runSession } from '../src/session.js'

it('pays, waits for an approval, is denied, and verifies a receipt through x-mcp --sandbox', async () => {
  const lines: string[] = []
  const result = await runSession((line) => lines.push(line))

  expect(result.tools).toContain('ralio_pay')
  expect(result.allowed).toMatchObject({
    status: 'paid',
    receiptId: expect.any(String),
    paymentIntentId: expect.any(String),
  })
  expect(result.approved).toMatchObject({ status: 'paid', approvedBy: 'slack:finance-lead' })
  expect(result.progressMessages[0]).toMatch(/Waiting for a person to approve ralio_pay/)
  expect(result.denied).toMatchObject({ status: 'denied' })
  expect(result.deniedIsError).toBe(true)
  expect(result.receipt).toMatchObject({ status: 'ok', result: { valid: true, decision: 'allow' } })
  // The two authorised payments reached Ralio; the denied one never did.
  const intents = (result.paymentIntents.result as { items: Array<{ totalAmount: string }> }).items
  expect(intents.map((intent) => intent.totalAmount).sort()).toEqual(['120.00', '4800.00'])
  expect(lines.some((line) => line.startsWith('ralio_pay → denied'))).toBe(true)
})
