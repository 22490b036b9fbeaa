import { describe, expect, it } from 'vitest'
import { chatStreamEventSchemas } from '../src/schemas/chat-stream-event.js'
import { pageResponseSchema, toPageData } from '../src/schemas/page-response.js'
import { paymentIntentSchema } from '../src/schemas/payment-intent.js'
import { tokenResponseSchema } from '../src/schemas/token-response.js'
import { transactionSchema } from '../src/schemas/transaction.js'

describe('wire schemas', () => {
  it('converts a transaction to camelCase, keeps the amount a decimal string and ignores new fields', () => {
    const transaction = transactionSchema.parse({
      id: 'tx_1',
      amount: '500.10',
      currency: 'GBP',
      date: '2026-05-01T10:00:00Z',
      creditor: 'Bob',
      debtor: 'Me',
      reference: 'April',
      status: 'settled_somewhere_new',
      payment_intent_id: null,
      brand_new_field: { nested: true },
    })
    expect(transaction).toEqual({
      id: 'tx_1',
      amount: '500.10',
      currency: 'GBP',
      date: '2026-05-01T10:00:00Z',
      creditor: 'Bob',
      debtor: 'Me',
      reference: 'April',
      status: 'settled_somewhere_new',
      paymentIntentId: undefined,
    })
  })

  it('turns an unquoted amount back into text instead of keeping a float', () => {
    expect(transactionSchema.parse({ id: 7, amount: 12.5 })).toMatchObject({ id: '7', amount: '12.5' })
  })

  it('reads a payment intent with legs and tolerates unknown statuses and wrong-typed fields', () => {
    const intent = paymentIntentSchema.parse({
      id: 'pi_1',
      agent_id: 'ag_1',
      approval_status: 'escalated_to_board',
      execution_status: 'completed',
      total_amount: '1000.00',
      currency: 'GBP',
      instruction_count: 'two',
      instructions: [
        { amount: '1000.00', creditor_name: 'Bob', idempotency_key: 'k1', execution_error: null },
      ],
      alignment_outcome: { verdict: 'aligned' },
    })
    expect(intent).toMatchObject({
      approvalStatus: 'escalated_to_board',
      totalAmount: '1000.00',
      instructionCount: 1,
      instructions: [
        { amount: '1000.00', creditorName: 'Bob', idempotencyKey: 'k1', executionError: undefined },
      ],
      alignmentOutcome: { verdict: 'aligned' },
    })
  })

  it('accepts a paginated list and an old bare array as one complete page', () => {
    const requested = { page: 1, perPage: 50 }
    const schema = pageResponseSchema('transactions', transactionSchema)
    const paged = toPageData(
      schema.parse({ transactions: [{ id: 'a', amount: '1.00' }], total: 120, page: 1, per_page: 50 }),
      requested,
    )
    expect(paged).toMatchObject({ total: 120, page: 1, perPage: 50 })
    const bare = toPageData(schema.parse([{ id: 'a' }, { id: 'b' }]), requested)
    expect(bare).toMatchObject({ total: 2, page: 1, perPage: 50 })
    expect(bare.data.map((item) => item.id)).toEqual(['a', 'b'])
  })

  it('fills a page the server described only partly from the request, as the last page', () => {
    const schema = pageResponseSchema('transactions', transactionSchema)
    const page = toPageData(schema.parse({ transactions: [{ id: 'c' }], total: 'n/a' }), {
      page: 3,
      perPage: 10,
    })
    expect(page).toMatchObject({ total: 21, page: 3, perPage: 10 })
  })

  it('defaults expires_in to 1800 and the token type to DPoP', () => {
    expect(tokenResponseSchema.parse({ access_token: 'a' })).toEqual({
      accessToken: 'a',
      tokenType: 'DPoP',
      expiresIn: 1800,
      refreshToken: undefined,
      scope: undefined,
    })
  })

  it('maps stream event data to camelCase', () => {
    expect(
      chatStreamEventSchemas.tool_failed!.parse({ tool_call_id: 'c1', tool_name: 'pay', error: 'no funds' }),
    ).toEqual({
      toolCallId: 'c1',
      toolName: 'pay',
      error: 'no funds',
    })
    expect(chatStreamEventSchemas.conversation!.parse({ conversation_id: 'cv_1' })).toEqual({
      conversationId: 'cv_1',
    })
  })
})
