import {
  AIMessage,
  AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  ToolMessage,
} from '@langchain/core/messages'
import type { DynamicStructuredTool } from '@langchain/core/tools'
import { FakeStreamingChatModel } from '@langchain/core/utils/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { langChainTools } from '../src/adapters/langchain.js'
import { createAgentTools, type ToolProgress } from '../src/index.js'
import { type Services, startServices } from './support/services.js'

let services: Services
beforeAll(async () => {
  services = await startServices()
})
afterAll(() => services?.close())

/**
 * The tool-calling loop of a LangChain agent: the model (with the tools bound) answers, each
 * tool call it makes is invoked with that call, the ToolMessages go back to it, until it answers
 * without a call. LangChain's fake chat model plays the model: one scripted turn per round.
 */
async function toolCallingLoop(
  tools: DynamicStructuredTool[],
  call: { name: string; args: Record<string, unknown>; id: string },
): Promise<{ messages: BaseMessage[]; toolMessage: ToolMessage }> {
  const turns = [
    new FakeStreamingChatModel({
      chunks: [new AIMessageChunk({ content: '', tool_calls: [{ ...call, type: 'tool_call' }] })],
    }),
    new FakeStreamingChatModel({ responses: [new AIMessage('Done.')] }),
  ]
  const byName = new Map(tools.map((tool) => [tool.name, tool]))
  const messages: BaseMessage[] = [new HumanMessage('Pay the supplier')]
  for (const turn of turns) {
    const reply = await turn.bindTools(tools).invoke(messages)
    messages.push(reply)
    if (!reply.tool_calls?.length) break
    for (const toolCall of reply.tool_calls) {
      const tool = byName.get(toolCall.name)
      if (tool === undefined) throw new Error(`the model called an unknown tool ${toolCall.name}`)
      messages.push((await tool.invoke(toolCall)) as ToolMessage)
    }
  }
  const toolMessage = messages.find((message): message is ToolMessage => ToolMessage.isInstance(message))
  if (toolMessage === undefined) throw new Error('no tool ran')
  return { messages, toolMessage }
}

const pay = (payee: string, amount: string, reference: string) => ({
  name: 'ralio_pay',
  args: { amount, currency: 'GBP', payee, reference },
})

describe('LangChain adapter', () => {
  it('offers every tool with its name, description and JSON Schema', () => {
    const tools = langChainTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }),
    )
    const payTool = tools.find((tool) => tool.name === 'ralio_pay')!
    expect(payTool.description).toContain('pay')
    expect(payTool.schema).toMatchObject({ type: 'object', properties: { amount: { type: 'string' } } })
  })

  it('runs an allowed payment in the loop: a success ToolMessage, the intent in Ralio, a receipt for the call id', async () => {
    const tools = langChainTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }),
    )
    const { messages, toolMessage } = await toolCallingLoop(tools, {
      ...pay('Acme Stationery', '42.00', 'langchain allowed'),
      id: 'call_lc_allowed',
    })
    expect(messages.at(-1)?.content).toBe('Done.')
    expect(toolMessage).toMatchObject({
      tool_call_id: 'call_lc_allowed',
      name: 'ralio_pay',
      status: 'success',
    })
    const outcome = JSON.parse(String(toolMessage.content))
    expect(outcome).toMatchObject({
      status: 'paid',
      receiptId: expect.any(String),
      paymentIntentId: expect.any(String),
    })
    expect(toolMessage.artifact).toEqual(outcome)
    expect(services.ralio.stats().paymentIntents).toContainEqual(
      expect.objectContaining({
        creditor: 'Acme Stationery',
        amount: '42.00',
        reference: `langchain allowed [relynt:${outcome.receiptId}]`,
      }),
    )
    const receipt = await services.relyntClient.receipts.get(outcome.receiptId)
    expect(receipt.decision).toBe('allow')
    expect(
      await services.relyntClient.receipts.verifyRequestHash(receipt, {
        action: 'ralio.pay',
        resource: 'ralio:payee:acme-stationery',
        payload: {
          amount: 42,
          currency: 'GBP',
          payee: 'Acme Stationery',
          reference: 'langchain allowed',
        },
      }),
    ).toBe(true)
  })

  it('gives the model a denied payment as an error ToolMessage, and Ralio never hears of it', async () => {
    const tools = langChainTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }),
    )
    const before = services.ralio.stats()
    const { toolMessage } = await toolCallingLoop(tools, {
      ...pay('Globex Holdings', '10.00', 'langchain denied'),
      id: 'call_lc_denied',
    })
    expect(toolMessage).toMatchObject({ tool_call_id: 'call_lc_denied', status: 'error' })
    expect(toolMessage.artifact).toMatchObject({ status: 'denied', reason: expect.any(String) })
    const receipt = await services.relyntClient.receipts.get(
      (toolMessage.artifact as { receiptId: string }).receiptId,
    )
    expect(receipt.decision).toBe('deny')
    expect(services.ralio.stats().chats).toHaveLength(before.chats.length)
    expect(services.ralio.stats().paymentIntents).toHaveLength(before.paymentIntents.length)
  })

  it('leaves a payment that needs approval pending when deferred: nothing is paid, the approval waits', async () => {
    const tools = langChainTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient, pending: 'defer' }),
    )
    const { toolMessage } = await toolCallingLoop(tools, {
      ...pay('Northwind Logistics', '6000.00', 'langchain deferred'),
      id: 'call_lc_pending',
    })
    // Not an error (as in the other adapters): the content says it is pending and how to check.
    expect(toolMessage).toMatchObject({ tool_call_id: 'call_lc_pending', status: 'success' })
    const outcome = toolMessage.artifact as { status: string; approvalId: string }
    expect(outcome.status).toBe('pending_approval')
    expect(
      services.relynt.listApprovals({ status: 'pending' }).map((approval) => approval.approval_id),
    ).toContain(outcome.approvalId)
    expect(
      services.ralio
        .stats()
        .paymentIntents.filter((intent) => intent.reference?.startsWith('langchain deferred')),
    ).toEqual([])
  })

  it('waits while a person approves, reporting progress with the call id, then pays once', async () => {
    const progress: (ToolProgress & { toolCallId: string })[] = []
    const tools = langChainTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }),
      {
        onProgress: async (update) => {
          progress.push(update)
          if (progress.length === 1) await services.approve(update.approvalId, 'slack:langchain-approver')
        },
      },
    )
    const { toolMessage } = await toolCallingLoop(tools, {
      ...pay('Northwind Logistics', '6500.00', 'langchain approved'),
      id: 'call_lc_approved',
    })
    expect(progress[0]).toMatchObject({ toolCallId: 'call_lc_approved', toolName: 'ralio_pay' })
    expect(toolMessage).toMatchObject({ tool_call_id: 'call_lc_approved', status: 'success' })
    expect(toolMessage.artifact).toMatchObject({
      status: 'paid',
      receiptId: expect.any(String),
      approvalId: progress[0]!.approvalId,
    })
    expect(
      services.ralio
        .stats()
        .paymentIntents.filter((intent) => intent.reference?.startsWith('langchain approved')),
    ).toHaveLength(1)
  })

  it('returns the outcome itself when invoked with plain arguments', async () => {
    const tools = langChainTools(
      createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient }),
    )
    const outcome = await tools
      .find((tool) => tool.name === 'ralio_pay')!
      .invoke({ amount: '5.00', currency: 'GBP', payee: 'Globex Holdings', reference: 'langchain plain' })
    expect(outcome).toMatchObject({ status: 'denied' })
  })
})
