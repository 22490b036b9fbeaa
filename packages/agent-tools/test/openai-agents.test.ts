import { Agent, run, setTracingDisabled } from '@openai/agents'
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents/testing'
import { UserAbortError } from '@x/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAIAgentsTools } from '../src/adapters/openai-agents.js'
import { createAgentTools } from '../src/index.js'
import { observeWaits, paymentsFor, type Services, startServices } from './support/services.js'

let services: Services
beforeAll(async () => {
  // Nothing leaves the machine: no traces are exported.
  setTracingDisabled(true)
  services = await startServices()
})
afterAll(() => services?.close())

/** Runs an Agents SDK agent whose scripted model calls one tool, then answers. */
async function runAgentCalling(toolName: string, args: Record<string, unknown>, callId: string) {
  const model = new ScriptedModel([[functionCall(toolName, args, { callId })], [assistantMessage('Done.')]])
  const agent = new Agent({
    name: 'Payments',
    instructions: 'Pay what you are asked to pay.',
    model,
    tools: openAIAgentsTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }),
    ),
  })
  const result = await run(agent, 'Go')
  const output = result.newItems.find((item) => item.type === 'tool_call_output_item')
  if (output === undefined || !('output' in output)) throw new Error('the agent ran no tool')
  const value = typeof output.output === 'string' ? JSON.parse(output.output) : output.output
  return { result, outcome: value as Record<string, unknown> & { status: string } }
}

describe('OpenAI Agents SDK adapter', () => {
  it('offers every tool to the agent as a function tool with its JSON Schema', () => {
    const tools = openAIAgentsTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }),
    )
    const pay = tools.find((tool) => tool.name === 'ralio_pay')!
    expect(pay.type).toBe('function')
    expect(pay.parameters).toMatchObject({ type: 'object', properties: { amount: { type: 'string' } } })
  })

  it('runs the payment tool in an agent run and correlates the receipt with the call id', async () => {
    const { result, outcome } = await runAgentCalling(
      'ralio_pay',
      { amount: '42.00', currency: 'GBP', payee: 'Acme Stationery', reference: 'agents sdk' },
      'call_agents_pay',
    )
    expect(result.finalOutput).toBe('Done.')
    expect(outcome).toMatchObject({
      status: 'paid',
      receiptId: expect.any(String),
      paymentIntentId: expect.any(String),
    })
    expect(services.ralio.stats().paymentIntents).toContainEqual(
      expect.objectContaining({
        creditor: 'Acme Stationery',
        amount: '42.00',
        reference: `agents sdk [relynt:${outcome.receiptId}]`,
      }),
    )
    const matches = await services.relyntClient.receipts.verifyRequestHash(String(outcome.receiptId), {
      action: 'ralio.pay',
      resource: 'ralio:payee:acme-stationery',
      payload: {
        amount: 42,
        currency: 'GBP',
        payee: 'Acme Stationery',
        reference: 'agents sdk',
      },
    })
    expect(matches).toBe(true)
  })

  it('gives the agent a denied payment as data, and Ralio never hears of it', async () => {
    const before = services.ralio.stats()
    const { outcome } = await runAgentCalling(
      'ralio_pay',
      { amount: '10.00', currency: 'GBP', payee: 'Globex Holdings', reference: 'agents sdk denied' },
      'call_agents_denied',
    )
    expect(outcome).toMatchObject({ status: 'denied', reason: expect.any(String) })
    expect(services.ralio.stats().chats).toHaveLength(before.chats.length)
    expect(services.ralio.stats().paymentIntents).toHaveLength(before.paymentIntents.length)
  })

  it('answers input that breaks the schema with invalid_input the model can correct', async () => {
    const { outcome } = await runAgentCalling(
      'ralio_pay',
      { amount: 'ten pounds', currency: 'GBP', payee: 'Acme', reference: 'x' },
      'call_agents_invalid',
    )
    expect(outcome).toMatchObject({ status: 'invalid_input', issues: [{ path: 'amount' }] })
  })

  it("passes the run's abort signal through: aborting the run stops the wait and pays nothing", async () => {
    const controller = new AbortController()
    const observed = observeWaits(services.relyntClient)
    let approvalId: string | undefined
    const model = new ScriptedModel([
      [
        functionCall(
          'ralio_pay',
          {
            amount: '6000.00',
            currency: 'GBP',
            payee: 'Northwind Logistics',
            reference: 'agents sdk aborted',
          },
          { callId: 'call_agents_abort' },
        ),
      ],
      [assistantMessage('Done.')],
    ])
    const agent = new Agent({
      name: 'Payments',
      model,
      tools: openAIAgentsTools(createAgentTools({ ralio: services.ralioClient, relynt: observed.relynt }), {
        onProgress: (progress) => {
          approvalId = progress.approvalId
          controller.abort()
        },
      }),
    })
    await expect(run(agent, 'Go', { signal: controller.signal })).rejects.toThrow()
    expect(approvalId).toBeDefined()
    // The tool's own wait ended with the abort: it is not still polling in the background.
    expect(await observed.waitEnded).toSatisfy((reason) => UserAbortError.isInstance(reason))
    expect(
      services.relynt.listApprovals({ status: 'pending' }).map((approval) => approval.approval_id),
    ).toContain(approvalId)
    expect(paymentsFor(services, 'agents sdk aborted')).toEqual([])
  })
})
