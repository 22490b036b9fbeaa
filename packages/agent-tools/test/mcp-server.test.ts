import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Services, startServices } from './support/services.js'
import { cleanEnv, xMcpBin } from './support/x-mcp-process.js'

let services: Services
let client: Client
let serverLog = ''

beforeAll(async () => {
  services = await startServices()
  client = new Client({ name: 'agent-tools-test', version: '1.0.0' })
  // The MCP SDK's own client spawns the built command over stdio, configured by environment only.
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [xMcpBin],
    env: cleanEnv(services.env),
    stderr: 'pipe',
  })
  transport.stderr?.on('data', (chunk: Buffer) => {
    serverLog += chunk.toString('utf8')
  })
  await client.connect(transport)
})
afterAll(async () => {
  await client?.close()
  await services?.close()
})

type Outcome = Record<string, unknown> & { status: string }

function outcomeOf(result: unknown): Outcome {
  const structured = (result as CallToolResult).structuredContent as Outcome
  // Every host reads the text; it must say the same as the structured content.
  expect(JSON.parse(((result as CallToolResult).content[0] as { text: string }).text)).toEqual(structured)
  return structured
}

const payAbove = (reference: string) => ({
  amount: '4800.00',
  currency: 'GBP',
  payee: 'Northwind Logistics',
  reference,
})

/** Calls ralio_pay; `onWaiting` gets the approval id from the first progress notification. */
function payWithProgress(
  args: Record<string, unknown>,
  onWaiting: (approvalId: string) => void | Promise<void>,
  signal?: AbortSignal,
) {
  let notified = false
  return client.callTool({ name: 'ralio_pay', arguments: args }, undefined, {
    signal,
    onprogress: (progress) => {
      const approvalId = /approval (\S+)\)/.exec(progress.message ?? '')?.[1]
      if (!notified && approvalId) {
        notified = true
        void onWaiting(approvalId)
      }
    },
  })
}

describe('x-mcp over stdio', () => {
  it('lists the tools with read-only and destructive annotations', async () => {
    const { tools } = await client.listTools()
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]))
    expect(Object.keys(byName).sort()).toEqual([
      'ralio_list_payment_intents',
      'ralio_list_transactions',
      'ralio_pay',
      'relynt_check_approval',
      'relynt_simulate',
      'relynt_verify_receipt',
    ])
    expect(byName.ralio_pay?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false })
    expect(byName.ralio_list_transactions?.annotations).toMatchObject({ readOnlyHint: true })
    expect(byName.ralio_list_payment_intents?.annotations).toMatchObject({ readOnlyHint: true })
    expect(byName.ralio_pay?.inputSchema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['amount', 'currency', 'payee', 'reference']),
    })
  })

  it('pays an allowed payment through Ralio and returns the receipt id, which verifies', async () => {
    const result = await client.callTool({
      name: 'ralio_pay',
      arguments: {
        amount: '120.00',
        currency: 'GBP',
        payee: 'Acme Stationery',
        reference: 'office supplies',
      },
    })
    const outcome = outcomeOf(result)
    expect(result.isError).toBe(false)
    expect(outcome).toMatchObject({ status: 'paid', paymentIntentId: expect.any(String) })
    expect(services.ralio.stats().paymentIntents).toContainEqual(
      expect.objectContaining({
        id: outcome.paymentIntentId,
        creditor: 'Acme Stationery',
        amount: '120.00',
        reference: `office supplies [relynt:${outcome.receiptId}]`,
      }),
    )

    const verified = outcomeOf(
      await client.callTool({ name: 'relynt_verify_receipt', arguments: { receiptId: outcome.receiptId } }),
    )
    expect(verified).toMatchObject({
      status: 'ok',
      result: {
        valid: true,
        decision: 'allow',
        action: 'ralio.pay',
        resource: 'ralio:payee:acme-stationery',
      },
    })
  })

  it('waits with progress notifications and pays once a person approves', async () => {
    const result = await payWithProgress(payAbove('the April freight'), (approvalId) =>
      services.approve(approvalId, 'slack:finance-lead'),
    )
    const outcome = outcomeOf(result)
    expect(outcome).toMatchObject({ status: 'paid', approvedBy: 'slack:finance-lead' })
    expect(services.ralio.stats().paymentIntents).toContainEqual(
      expect.objectContaining({
        id: outcome.paymentIntentId,
        creditor: 'Northwind Logistics',
        amount: '4800.00',
        reference: `the April freight [relynt:${outcome.receiptId}]`,
      }),
    )
  })

  it('returns a denied error result and the payment never reaches Ralio', async () => {
    const before = services.ralio.stats()
    const result = await client.callTool({
      name: 'ralio_pay',
      arguments: {
        amount: '950.00',
        currency: 'GBP',
        payee: 'Globex Holdings',
        reference: 'consulting retainer',
      },
    })
    expect(result.isError).toBe(true)
    expect(outcomeOf(result)).toMatchObject({ status: 'denied', receiptId: expect.any(String) })
    const after = services.ralio.stats()
    expect(after.chats).toHaveLength(before.chats.length)
    expect(after.paymentIntents).toHaveLength(before.paymentIntents.length)
  })

  it('stops waiting when the client cancels, pays nothing, and the check tool finishes it later', async () => {
    const controller = new AbortController()
    let waitingOn: string | undefined
    const call = payWithProgress(
      payAbove('a cancelled wait'),
      (approvalId) => {
        waitingOn = approvalId
        controller.abort()
      },
      controller.signal,
    )
    await expect(call).rejects.toThrow()
    // The server's own wait ended: it says so only once the tool stopped polling.
    await vi.waitUntil(() => serverLog.includes('ralio_pay cancelled by the client'), { timeout: 10_000 })
    const approvalId = waitingOn!
    expect(
      services.relynt.listApprovals({ status: 'pending' }).map((approval) => approval.approval_id),
    ).toContain(approvalId)

    await services.approve(approvalId)
    const paid = () =>
      services.ralio
        .stats()
        .paymentIntents.filter((intent) => intent.reference?.startsWith('a cancelled wait '))
    expect(paid()).toHaveLength(0)
    const finished = await client.callTool({ name: 'relynt_check_approval', arguments: { approvalId } })
    expect(outcomeOf(finished)).toMatchObject({ status: 'paid', approvalId })
    expect(paid()).toHaveLength(1)
  })

  it('answers arguments that break the schema with an error result, and nothing is sent', async () => {
    const before = services.relynt.listReceipts().length
    const result = await client.callTool({
      name: 'ralio_pay',
      arguments: { amount: '-5', currency: 'GBP', payee: 'Acme', reference: 'x' },
    })
    expect(result.isError).toBe(true)
    expect(services.relynt.listReceipts()).toHaveLength(before)
  })
})
