import { expect, it } from 'vitest'
import { main } from '../src/quickstart.js'

it('registers, chats, streams a payment and lists the intent and transaction it made', async () => {
  const lines: string[] = []
  let streamed = ''
  const result = await main({ log: (line) => lines.push(line), write: (text) => (streamed += text) })

  expect(result.clientId).toMatch(/\S/)
  expect(result.agentName).toMatch(/\S/)
  expect(result.balanceReply).toMatch(/balance is £10,000\.00/)
  expect(result.paymentReply).toMatch(/paid £25\.00 to Alice for lunch/)
  // The streamed deltas add up to the final reply.
  expect(streamed.trim()).toBe(`Agent: ${result.paymentReply}`)

  expect(result.paymentIntents).toHaveLength(1)
  expect(result.paymentIntents[0]).toMatchObject({ totalAmount: '25.00', approvalStatus: 'auto_approved' })
  expect(result.transactions).toHaveLength(1)
  expect(result.transactions[0]).toMatchObject({
    amount: '25.00',
    creditor: 'Alice',
    paymentIntentId: result.paymentIntents[0]?.id,
  })
  expect(lines).toContain('  [tool] create_payment_intent started')
})
