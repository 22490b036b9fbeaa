import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AgentToolsError,
  type PaymentFields,
  RALIO_PAY_ACTION,
  type Reconciliation,
  ralioPayRequest,
  ralioPayTool,
  reconcilePayments,
} from '../src/index.js'
import { type Services, startServices } from './support/services.js'

let services: Services
beforeAll(async () => {
  services = await startServices()
})
afterAll(() => services?.close())

/** Each test reconciles only its own window, so the tests share one pair of sandboxes. */
async function inWindow(
  run: () => Promise<void>,
  options: { pageSize?: number } = {},
): Promise<Reconciliation> {
  const since = new Date()
  await run()
  return reconcilePayments({
    ralio: services.ralioClient,
    relynt: services.relyntClient,
    since,
    until: new Date(),
    ...options,
  })
}

/** Asks Relynt exactly what `ralio_pay` asks; the receipt id of an allow. */
async function authorise(fields: PaymentFields): Promise<string> {
  const result = await services.relyntClient.requestAction({
    action: RALIO_PAY_ACTION,
    ...ralioPayRequest(fields),
  })
  expect(result.decision).toBe('allow')
  return result.receiptId
}

/** Pays straight through Ralio's payment agent, around the gateway; `receiptId` goes into the reference. */
async function payDirectly(fields: PaymentFields, receiptId?: string): Promise<void> {
  const reference = receiptId === undefined ? fields.reference : `${fields.reference} [relynt:${receiptId}]`
  await services.ralioClient.chat.send({
    message: `Pay ${fields.amount} ${fields.currency} to ${fields.payee} for ${reference}`,
  })
}

const counts = (result: Reconciliation) => ({
  matched: result.matched.length,
  unauthorised: result.unauthorised.length,
  notExecuted: result.notExecuted.length,
  mismatched: result.mismatched.length,
})

const paper = { amount: '42.00', currency: 'GBP', payee: 'Acme Stationery', reference: 'paper' }

describe('reconcilePayments against the sandboxes', () => {
  it('matches a payment made by the guarded ralio_pay tool to the receipt that allowed it', async () => {
    const tool = ralioPayTool({ ralio: services.ralioClient, relynt: services.relyntClient })
    let receiptId = ''
    const result = await inWindow(async () => {
      const outcome = await tool.run(paper, { toolCallId: 'reconcile-guarded' })
      if (outcome.status !== 'paid' || outcome.receiptId === undefined) {
        throw new Error(`expected paid with a receipt, got ${outcome.status}`)
      }
      receiptId = outcome.receiptId
    })
    expect(counts(result)).toEqual({ matched: 1, unauthorised: 0, notExecuted: 0, mismatched: 0 })
    expect(result.matched[0]).toMatchObject({
      receiptId,
      paymentIntentId: expect.any(String),
      amount: '42.00',
      currency: 'GBP',
      payee: 'Acme Stationery',
      link: expect.stringMatching(/^(reference|content)$/),
      reason: 'paid as authorised',
    })
    expect(Date.parse(result.matched[0]!.paidAt!)).toBeGreaterThanOrEqual(
      Date.parse(result.matched[0]!.authorisedAt!),
    )
  })

  it('flags a payment made by the unguarded tool as unauthorised', async () => {
    const tool = ralioPayTool({ ralio: services.ralioClient, unguarded: true })
    const result = await inWindow(async () => {
      await tool.run({ ...paper, reference: 'unguarded paper' })
    })
    expect(counts(result)).toEqual({ matched: 0, unauthorised: 1, notExecuted: 0, mismatched: 0 })
    expect(result.unauthorised[0]).toMatchObject({
      paymentIntentId: expect.any(String),
      amount: '42.00',
      payee: 'Acme Stationery',
      reason: 'no ralio.pay receipt allowed this payment',
    })
    expect(result.unauthorised[0]).not.toHaveProperty('receiptId')
  })

  it('lists an allowed payment Ralio refused (EUR on a GBP account) as not executed', async () => {
    let receiptId = ''
    const result = await inWindow(async () => {
      const euros = { ...paper, currency: 'EUR', reference: 'euro paper' }
      receiptId = await authorise(euros)
      await payDirectly(euros, receiptId)
    })
    expect(counts(result)).toEqual({ matched: 0, unauthorised: 0, notExecuted: 1, mismatched: 0 })
    expect(result.notExecuted[0]).toMatchObject({
      receiptId,
      payee: 'acme-stationery',
      reason: expect.stringMatching(/no payment was made/),
    })
  })

  it('counts a denied payment as no discrepancy', async () => {
    const tool = ralioPayTool({ ralio: services.ralioClient, relynt: services.relyntClient })
    const result = await inWindow(async () => {
      const outcome = await tool.run(
        { ...paper, payee: 'Globex Holdings' },
        { toolCallId: 'reconcile-denied' },
      )
      expect(outcome.status).toBe('denied')
    })
    expect(counts(result)).toEqual({ matched: 0, unauthorised: 0, notExecuted: 0, mismatched: 0 })
  })

  it('links by the receipt id in the reference, and flags an amount other than the one allowed', async () => {
    let receiptId = ''
    const result = await inWindow(async () => {
      receiptId = await authorise({ ...paper, amount: '20.00', reference: 'toner' })
      await payDirectly({ ...paper, amount: '25.00', reference: 'toner' }, receiptId)
    })
    expect(counts(result)).toEqual({ matched: 0, unauthorised: 0, notExecuted: 0, mismatched: 1 })
    expect(result.mismatched[0]).toMatchObject({
      receiptId,
      amount: '25.00',
      link: 'reference',
      reason: expect.stringContaining(`not the amount, currency or reference receipt ${receiptId} allowed`),
    })
  })

  it('matches a reference link and a content link, each to its own receipt', async () => {
    const byReference = { ...paper, amount: '11.00', reference: 'ink' }
    const byContent = { ...paper, amount: '12.00', reference: 'staples' }
    const ids: string[] = []
    const result = await inWindow(async () => {
      ids.push(await authorise(byReference), await authorise(byContent))
      await payDirectly(byReference, ids[0])
      await payDirectly(byContent)
    })
    expect(counts(result)).toEqual({ matched: 2, unauthorised: 0, notExecuted: 0, mismatched: 0 })
    const links = Object.fromEntries(result.matched.map((line) => [line.receiptId, [line.link, line.amount]]))
    expect(links).toEqual({ [ids[0]!]: ['reference', '11.00'], [ids[1]!]: ['content', '12.00'] })
  })

  it('reads more than one page on both sides', async () => {
    const result = await inWindow(
      async () => {
        for (const amount of ['1.00', '2.00', '3.00', '4.00', '5.00']) {
          const fields = { ...paper, amount, reference: `pages ${amount}` }
          await payDirectly(fields, await authorise(fields))
        }
      },
      { pageSize: 2 },
    )
    expect(counts(result)).toEqual({ matched: 5, unauthorised: 0, notExecuted: 0, mismatched: 0 })
    expect(result.matched.map((line) => line.amount).sort()).toEqual(['1.00', '2.00', '3.00', '4.00', '5.00'])
  })

  it('keeps to its window: both edges included, nothing outside', async () => {
    const before = { ...paper, amount: '7.00', reference: 'before the window' }
    await payDirectly(before, await authorise(before))
    const inside = { ...paper, amount: '8.00', reference: 'inside the window' }
    const receiptId = await authorise(inside)
    await payDirectly(inside, receiptId)
    const after = { ...paper, amount: '9.00', reference: 'after the window' }
    await new Promise((resolve) => setTimeout(resolve, 5))
    await payDirectly(after, await authorise(after))

    const receipt = await services.relyntClient.receipts.get(receiptId)
    let paidAt = ''
    for await (const intent of services.ralioClient.paymentIntents.list()) {
      if (intent.instructions[0]?.reference?.includes(receiptId)) paidAt = intent.createdAt!
    }
    const result = await reconcilePayments({
      ralio: services.ralioClient,
      relynt: services.relyntClient,
      since: receipt.createdAt,
      until: paidAt,
    })
    expect(counts(result)).toEqual({ matched: 1, unauthorised: 0, notExecuted: 0, mismatched: 0 })
    expect(result.matched[0]).toMatchObject({ receiptId, amount: '8.00', link: 'reference' })
  })

  it('refuses a window that ends before it starts, or is not a time', async () => {
    const clients = { ralio: services.ralioClient, relynt: services.relyntClient }
    await expect(
      reconcilePayments({ ...clients, since: '2026-05-02T00:00:00Z', until: '2026-05-01T00:00:00Z' }),
    ).rejects.toThrow(/until .* is before since/)
    const error = await reconcilePayments({ ...clients, since: 'yesterday' }).catch(
      (caught: unknown) => caught,
    )
    expect(AgentToolsError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_argument' })
  })
})
