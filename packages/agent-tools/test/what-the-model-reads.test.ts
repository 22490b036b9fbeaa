import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv'
import { generateText, isStepCount } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aiSdkTools } from '../src/adapters/ai.js'
import { createMcpServer } from '../src/adapters/mcp.js'
import { type AgentTool, createAgentTools, ralioChatTool } from '../src/index.js'
import { modelCalling } from './support/scripted-model.js'
import { type Services, startServices } from './support/services.js'

let services: Services
let tools: AgentTool[]
let client: Client
let listed: Tool[]
const validator = new AjvJsonSchemaValidator()

beforeAll(async () => {
  services = await startServices()
  const options = { ralio: services.ralioClient, relynt: services.relyntClient, pending: 'defer' as const }
  // Every tool the package ships, ralio_chat included (a host may enable it).
  tools = [...createAgentTools(options), ralioChatTool(options)].filter(
    (tool, index, all) => all.findIndex((other) => other.name === tool.name) === index,
  )
  const server = createMcpServer(tools)
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  client = new Client({ name: 'what-the-model-reads', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  listed = (await client.listTools()).tools
})
afterAll(async () => {
  await client?.close()
  await services?.close()
})

/** Calls a tool through the MCP client and checks its structured content against the tool's own output schema. */
async function call(name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  const tool = listed.find((candidate) => candidate.name === name)!
  const check = validator.getValidator(tool.outputSchema as Parameters<typeof validator.getValidator>[0])(
    result.structuredContent,
  )
  expect(check.errorMessage, `${name}: ${JSON.stringify(result.structuredContent)}`).toBeUndefined()
  expect(check.valid).toBe(true)
  return result
}

/** Every number in a schema: a bound of 2^53 - 1 tells a model nothing. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value]
  if (typeof value !== 'object' || value === null) return []
  return Object.values(value).flatMap(numbersIn)
}

describe('what the model reads', () => {
  it('lists every tool with a title, an input schema and an output schema, and no huge bounds', () => {
    expect(listed.map((tool) => tool.name).sort()).toEqual(tools.map((tool) => tool.name).sort())
    for (const tool of listed) {
      expect(tool.title, tool.name).toMatch(/\S/)
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object', properties: { status: {} } })
      for (const number of [...numbersIn(tool.inputSchema), ...numbersIn(tool.outputSchema)]) {
        expect(Math.abs(number), tool.name).toBeLessThan(1e9)
      }
    }
  })

  it('answers with structured content that matches the output schema, for results and refusals alike', async () => {
    const listedPayments = await call('ralio_list_transactions', { perPage: 2 })
    expect(listedPayments.structuredContent).toMatchObject({ status: 'ok', result: { perPage: 2 } })
    const simulated = await call('relynt_simulate', { action: 'ralio.pay', resource: 'ralio:payee:acme' })
    expect(simulated.structuredContent).toMatchObject({
      status: 'ok',
      result: { decision: expect.any(String) },
    })
    const unknown = await call('relynt_check_approval', { approvalId: 'apr_nobody' })
    expect(unknown).toMatchObject({ isError: true, structuredContent: { status: 'failed' } })
  })

  it('says a policy denial did nothing and is not worth retrying, as an error result', async () => {
    const before = services.ralio.stats().paymentIntents.length
    const denied = await call('ralio_pay', {
      amount: '10.00',
      currency: 'GBP',
      payee: 'Globex Holdings',
      reference: 'retainer',
    })
    expect(denied.isError).toBe(true)
    expect(denied.structuredContent).toMatchObject({ status: 'denied', deniedBy: 'policy' })
    const { reason } = denied.structuredContent as { reason: string }
    expect(reason).toMatch(/Nothing was done/)
    expect(reason).toMatch(/do not retry/)
    expect(services.ralio.stats().paymentIntents).toHaveLength(before)
  })

  it('says who denied an approval, and that nothing was done', async () => {
    const pending = await call('ralio_pay', {
      amount: '4800.00',
      currency: 'GBP',
      payee: 'Northwind Logistics',
      reference: 'freight, denied by a person',
    })
    expect(pending.structuredContent).toMatchObject({ status: 'pending_approval' })
    const { approvalId } = pending.structuredContent as { approvalId: string }
    await services.deny(approvalId, 'slack:finance-lead', 'Northwind was paid last week')
    const denied = await call('relynt_check_approval', { approvalId })
    expect(denied.isError).toBe(true)
    expect(denied.structuredContent).toMatchObject({
      status: 'denied',
      deniedBy: 'person',
      decidedBy: 'slack:finance-lead',
      decisionReason: 'Northwind was paid last week',
    })
    expect((denied.structuredContent as { reason: string }).reason).toMatch(
      /denied by slack:finance-lead, who wrote: "Northwind was paid last week".*Nothing was done/,
    )
    expect(
      services.ralio
        .stats()
        .paymentIntents.filter((intent) => intent.reference?.startsWith('freight, denied')),
    ).toEqual([])
  })

  it('gives the AI SDK the same output schema', async () => {
    const toolSet = aiSdkTools(tools)
    for (const tool of tools) {
      expect(toolSet[tool.name]!.outputSchema, tool.name).toBeDefined()
    }
    const model = modelCalling('ralio_list_payment_intents', {}, 'call-schema')
    const result = await generateText({ model, tools: toolSet, prompt: 'List', stopWhen: isStepCount(2) })
    const output = result.steps[0]!.toolResults[0]!.output
    const schema = tools.find((tool) => tool.name === 'ralio_list_payment_intents')!.outputJsonSchema
    expect(validator.getValidator(schema as Parameters<typeof validator.getValidator>[0])(output).valid).toBe(
      true,
    )
    expect(output).toMatchObject({ status: 'ok', result: { items: expect.any(Array) } })
  })
})
