import { UserAbortError } from '@x/core'
import { generateText, isStepCount } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aiSdkTools } from '../src/adapters/ai.js'
import { createAgentTools } from '../src/index.js'
import { modelCalling, toolOutputSentBack } from './support/scripted-model.js'
import { observeWaits, paymentsFor, type Services, startServices } from './support/services.js'

let services: Services
beforeAll(async () => {
  services = await startServices()
})
afterAll(() => services?.close())

const tools = () =>
  aiSdkTools(createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }))

describe('AI SDK adapter', () => {
  it('lets the model pay through generateText; the request hash on the receipt is that of the payment fields', async () => {
    const model = modelCalling(
      'ralio_pay',
      { amount: '80.00', currency: 'GBP', payee: 'Acme Stationery', reference: 'toner' },
      'call-ai-pay',
    )
    const result = await generateText({
      model,
      tools: tools(),
      prompt: 'Pay Acme 80 GBP for toner',
      stopWhen: isStepCount(2),
    })
    expect(result.text).toBe('Done.')
    const sentBack = toolOutputSentBack(model)
    expect(sentBack).toMatchObject({
      type: 'json',
      value: { status: 'paid', paymentIntentId: expect.any(String) },
    })
    expect(services.ralio.stats().paymentIntents).toContainEqual(
      expect.objectContaining({
        creditor: 'Acme Stationery',
        amount: '80.00',
        reference: `toner [relynt:${sentBack.value.receiptId}]`,
      }),
    )
    const matches = await services.relyntClient.receipts.verifyRequestHash(String(sentBack.value.receiptId), {
      action: 'ralio.pay',
      resource: 'ralio:payee:acme-stationery',
      payload: {
        amount: 80,
        currency: 'GBP',
        payee: 'Acme Stationery',
        reference: 'toner',
      },
    })
    expect(matches).toBe(true)
  })

  it('gives the model a denied payment as an error result, and Ralio never hears of it', async () => {
    const before = services.ralio.stats()
    const model = modelCalling(
      'ralio_pay',
      { amount: '10.00', currency: 'GBP', payee: 'Globex Holdings', reference: 'retainer' },
      'call-ai-denied',
    )
    await generateText({ model, tools: tools(), prompt: 'Pay Globex', stopWhen: isStepCount(2) })
    expect(toolOutputSentBack(model)).toMatchObject({ type: 'error-json', value: { status: 'denied' } })
    expect(services.ralio.stats().chats).toHaveLength(before.chats.length)
    expect(services.ralio.stats().paymentIntents).toHaveLength(before.paymentIntents.length)
  })

  it('lets the model read transactions with a read-only tool', async () => {
    const model = modelCalling('ralio_list_transactions', { perPage: 5 }, 'call-ai-list')
    await generateText({ model, tools: tools(), prompt: 'What did I pay?', stopWhen: isStepCount(2) })
    expect(toolOutputSentBack(model)).toMatchObject({
      type: 'json',
      value: { status: 'ok', result: { perPage: 5, items: expect.any(Array) } },
    })
  })

  it('passes the abort signal through: aborting generateText stops the wait and pays nothing', async () => {
    const controller = new AbortController()
    const observed = observeWaits(services.relyntClient)
    let approvalId: string | undefined
    const model = modelCalling(
      'ralio_pay',
      { amount: '5000.00', currency: 'GBP', payee: 'Northwind Logistics', reference: 'aborted by the host' },
      'call-ai-abort',
    )
    const run = generateText({
      model,
      tools: aiSdkTools(createAgentTools({ ralio: services.ralioClient, relynt: observed.relynt }), {
        onProgress: (progress) => {
          approvalId = progress.approvalId
          controller.abort()
        },
      }),
      prompt: 'Pay Northwind',
      abortSignal: controller.signal,
      stopWhen: isStepCount(2),
    })
    await expect(run).rejects.toThrow()
    expect(approvalId).toBeDefined()
    // The tool's own wait ended with the abort: it is not still polling in the background.
    expect(await observed.waitEnded).toSatisfy((reason) => UserAbortError.isInstance(reason))
    expect(
      services.relynt.listApprovals({ status: 'pending' }).map((approval) => approval.approval_id),
    ).toContain(approvalId)
    expect(paymentsFor(services, 'aborted by the host')).toEqual([])
  })
})
