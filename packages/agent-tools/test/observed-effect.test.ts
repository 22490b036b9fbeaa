import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { generateText, isStepCount } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { aiSdkTools } from '../src/adapters/ai.js'
import { createMcpServer } from '../src/adapters/mcp.js'
import { type AgentTool, defineTool, guardedTool, isErrorOutcome, observedEffect } from '../src/index.js'
import { modelCalling, toolOutputSentBack } from './support/scripted-model.js'
import { type Services, startServices } from './support/services.js'

let services: Services
beforeAll(async () => {
  services = await startServices()
})
afterAll(() => services?.close())

type Effect = 'paid' | 'not_executed'

/** A guarded payment whose execute reports what the (pretend) system that acted observed. */
function observingTool(effect: Effect) {
  return guardedTool(services.relyntClient, {
    name: 'pay_observed',
    description: 'Pay a supplier and report what the bank did.',
    input: z.object({ payee: z.string(), amount: z.number() }),
    action: 'ralio.pay',
    resource: (input) => `ralio:payee:${input.payee}`,
    payload: (input) => ({ amount: input.amount }),
    output: {
      effects: {
        statuses: ['paid', 'not_executed'],
        fields: { paymentIntentId: z.string(), amount: z.string(), reply: z.string() },
      },
    },
    execute(input, { authorization }) {
      if (effect === 'paid') {
        return observedEffect('paid', {
          isError: false,
          message: `Paid ${input.amount} to ${input.payee}.`,
          // A field naming another receipt is not passed on: only the authorisation names it.
          fields: { paymentIntentId: 'pi_1', amount: String(input.amount), receiptId: 'forged' },
        })
      }
      return observedEffect('not_executed', {
        isError: true,
        message: `Nothing was paid (receipt ${authorization?.receiptId}).`,
        fields: { reply: 'Insufficient funds.' },
      })
    },
  })
}

async function mcpCall(tool: AgentTool, args: Record<string, unknown>): Promise<CallToolResult> {
  const server = createMcpServer([tool])
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'observed-effect-test', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  try {
    return (await client.callTool({ name: tool.name, arguments: args })) as CallToolResult
  } finally {
    await client.close()
    await server.close()
  }
}

async function aiSdkOutput(tool: AgentTool, input: Record<string, unknown>) {
  const model = modelCalling(tool.name, input, 'call-observed')
  await generateText({ model, tools: aiSdkTools([tool]), prompt: 'Pay', stopWhen: isStepCount(2) })
  return toolOutputSentBack(model)
}

describe('an execute that returns an observed effect', () => {
  it("reports the effect's status and fields with the authorisation's receipt, not allowed", async () => {
    const outcome = await observingTool('paid').run({ payee: 'acme-stationery', amount: 12 })
    expect(outcome).toEqual({
      status: 'paid',
      message: 'Paid 12 to acme-stationery.',
      isError: false,
      paymentIntentId: 'pi_1',
      amount: '12',
      receiptId: expect.stringMatching(/^(?!forged)./),
    })
    expect(isErrorOutcome(outcome)).toBe(false)
    if (outcome.status !== 'paid') throw new Error(`expected paid, got ${outcome.status}`)
    const receipt = await services.relyntClient.receipts.get(outcome.receiptId!)
    expect(receipt).toMatchObject({
      decision: 'allow',
      action: 'ralio.pay',
      resource: 'ralio:payee:acme-stationery',
    })
  })

  it('is typed by the statuses execute can report', async () => {
    const outcome = await observingTool('not_executed').run({ payee: 'acme-stationery', amount: 3 })
    // Narrowing on the effect's status reaches its fields, typed.
    const reply: string | undefined = outcome.status === 'not_executed' ? outcome.reply : undefined
    if (outcome.status === 'not_executed') expect(reply).toBe('Insufficient funds.')
    else throw new Error(`expected not_executed, got ${outcome.status}`)
  })

  it('is an error result over MCP when the effect says so, and a success when it does not', async () => {
    const failed = await mcpCall(observingTool('not_executed'), { payee: 'acme-stationery', amount: 3 })
    expect(failed.isError).toBe(true)
    expect(failed.structuredContent).toMatchObject({
      status: 'not_executed',
      reply: 'Insufficient funds.',
      receiptId: expect.any(String),
    })
    expect(JSON.parse((failed.content[0] as { text: string }).text)).toEqual(failed.structuredContent)
    const paid = await mcpCall(observingTool('paid'), { payee: 'acme-stationery', amount: 4 })
    expect(paid.isError).toBe(false)
    expect(paid.structuredContent).toMatchObject({ status: 'paid', paymentIntentId: 'pi_1' })
  })

  it('is error-json for the AI SDK when the effect says so, json when it does not', async () => {
    expect(
      await aiSdkOutput(observingTool('not_executed'), { payee: 'acme-stationery', amount: 3 }),
    ).toMatchObject({
      type: 'error-json',
      value: { status: 'not_executed', receiptId: expect.any(String) },
    })
    expect(await aiSdkOutput(observingTool('paid'), { payee: 'acme-stationery', amount: 3 })).toMatchObject({
      type: 'json',
      value: { status: 'paid', paymentIntentId: 'pi_1' },
    })
  })

  it('never reports the effect of a call the gateway denied: execute does not run', async () => {
    const outcome = await observingTool('paid').run({ payee: 'globex-holdings', amount: 3 })
    expect(outcome).toMatchObject({ status: 'denied' })
    expect(isErrorOutcome(outcome)).toBe(true)
  })

  it('is reported by an unguarded tool too, without any receipt', async () => {
    const tool = defineTool({
      name: 'count_observed',
      description: 'Reports what it saw.',
      input: z.object({}),
      execute: () =>
        observedEffect('mismatch', {
          isError: true,
          message: 'Two intents.',
          fields: { receiptId: 'forged', intents: 2 },
        }),
    })
    const outcome = await tool.run({})
    expect(outcome).toEqual({ status: 'mismatch', isError: true, message: 'Two intents.', intents: 2 })
    expect((await mcpCall(tool, {})).isError).toBe(true)
  })
})
