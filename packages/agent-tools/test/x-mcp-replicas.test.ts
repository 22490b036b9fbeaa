import { randomBytes } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, redisAvailable, startRedisServer } from './support/redis-server.js'
import { paymentsFor, type Services, startServices } from './support/services.js'
import { runToExit, startUntil } from './support/x-mcp-process.js'

type Outcome = Record<string, unknown> & { status: string }

let services: Services
const token = randomBytes(32).toString('base64url')

beforeAll(async () => {
  services = await startServices()
})
afterAll(() => services?.close())

/** `x-mcp --http` against the shared sandboxes, as a replica behind a load balancer runs it. */
async function startReplica(args: string[], env: Record<string, string> = {}) {
  const server = startUntil(
    ['--http', ...args],
    { ...services.env, X_MCP_HTTP_TOKEN: token, ...env },
    /serving \d+ tools at \S+/,
  )
  const stderr = await server.started
  const url = /serving \d+ tools at (\S+)/.exec(stderr)![1]!
  return { ...server, url }
}

/** A standard MCP SDK client, with its default request timeout. */
async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'agent-tools-test', version: '1.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  )
  return client
}

const outcomeOf = (result: unknown) => (result as CallToolResult).structuredContent as Outcome
const paidFor = (reference: string) => paymentsFor(services, reference)
const pay = (reference: string, amount = '4800.00') => ({
  amount,
  currency: 'GBP',
  payee: 'Northwind Logistics',
  reference,
})

describe.skipIf(!redisAvailable)('two x-mcp --http replicas on one Redis', () => {
  let redis: RedisServer
  let first: Awaited<ReturnType<typeof startReplica>>
  let second: Awaited<ReturnType<typeof startReplica>>
  const clients: Client[] = []
  const client = async (url: string) => {
    const connected = await connect(url)
    clients.push(connected)
    return connected
  }
  beforeAll(async () => {
    redis = await startRedisServer()
    ;[first, second] = await Promise.all([
      startReplica(['--approval-timeout', '1'], { X_MCP_STORE: redis.url }),
      startReplica(['--approval-timeout', '2', '--store', redis.url]),
    ])
  })
  afterAll(async () => {
    await Promise.allSettled(clients.map((connected) => connected.close()))
    await Promise.allSettled([first?.stop(), second?.stop()])
    await redis?.close()
  })

  it('tells the model how pending calls are finished, in the server instructions', async () => {
    const connected = await client(first.url)
    expect(connected.getInstructions()).toMatch(/pending_approval[\s\S]*relynt_check_approval/)
  })

  it('answers pending_approval with the id inside the client timeout; another replica finishes it after a restart of the first, and it pays once', async () => {
    const onFirst = await client(first.url)
    const pending = outcomeOf(
      await onFirst.callTool({ name: 'ralio_pay', arguments: pay('across replicas') }),
    )
    expect(pending).toMatchObject({ status: 'pending_approval', approvalId: expect.any(String) })
    const approvalId = pending.approvalId as string

    // The replica that took the call goes away and comes back: the call lives in Redis.
    await first.stop()
    first = await startReplica(['--approval-timeout', '1', '--store', redis.url])
    await services.approve(approvalId)

    const onSecond = await client(second.url)
    const finished = outcomeOf(
      await onSecond.callTool({ name: 'relynt_check_approval', arguments: { approvalId } }),
    )
    expect(finished).toMatchObject({ status: 'paid', approvalId })
    expect(paidFor('across replicas')).toHaveLength(1)

    const onRestarted = await client(first.url)
    const again = outcomeOf(
      await onRestarted.callTool({ name: 'relynt_check_approval', arguments: { approvalId } }),
    )
    expect(again).toEqual(finished)
    expect(paidFor('across replicas')).toHaveLength(1)
  })

  it('a retry after the client timed out finds the same approval instead of opening a second one', async () => {
    const connected = await client(second.url)
    const approvalsBefore = services.relynt.listApprovals().length
    const request = {
      name: 'ralio_pay',
      arguments: pay('retried after a timeout'),
      _meta: { toolCallId: 'call_retry' },
    }
    await expect(connected.callTool(request, undefined, { timeout: 300 })).rejects.toThrow(/timed out/i)
    const retriedResult = await connected.callTool(request)
    const retried = outcomeOf(retriedResult)
    expect(retried).toMatchObject({ status: 'pending_approval' })
    expect(services.relynt.listApprovals()).toHaveLength(approvalsBefore + 1)

    await services.approve(retried.approvalId as string)
    const finished = outcomeOf(
      await connected.callTool({
        name: 'relynt_check_approval',
        arguments: { approvalId: retried.approvalId },
      }),
    )
    expect(finished).toMatchObject({ status: 'paid' })
    // The same call sent once more answers with the finished result, and nothing is paid again.
    expect(outcomeOf(await connected.callTool(request))).toMatchObject({
      status: 'paid',
      approvalId: retried.approvalId,
    })
    expect(paidFor('retried after a timeout')).toHaveLength(1)
  })

  it('two sessions that send the same tool call id each get their own payment', async () => {
    const [alice, bob] = await Promise.all([client(first.url), client(first.url)])
    const results = await Promise.all([
      alice.callTool({
        name: 'ralio_pay',
        arguments: pay('session one', '10.00'),
        _meta: { toolCallId: 'call_1' },
      }),
      bob.callTool({
        name: 'ralio_pay',
        arguments: pay('session two', '20.00'),
        _meta: { toolCallId: 'call_1' },
      }),
    ])
    const [one, two] = results.map(outcomeOf)
    expect(one).toMatchObject({ status: 'paid' })
    expect(two).toMatchObject({ status: 'paid' })
    expect(one!.receiptId).not.toBe(two!.receiptId)
    expect(paidFor('session one')).toEqual([expect.objectContaining({ amount: '10.00' })])
    expect(paidFor('session two')).toEqual([expect.objectContaining({ amount: '20.00' })])
  })
})

describe('x-mcp --http limits', () => {
  let server: Awaited<ReturnType<typeof startReplica>>
  beforeAll(async () => {
    server = await startReplica(['--max-sessions', '2', '--session-idle', '1', '--read-only'])
  })
  afterAll(() => server?.stop())

  const initialize = (headers: Record<string, string> = {}) =>
    fetch(server.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    })

  it('serves only the read-only tools with --read-only', async () => {
    const connected = await connect(server.url)
    try {
      const { tools } = await connected.listTools()
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'ralio_list_payment_intents',
        'ralio_list_transactions',
        'relynt_simulate',
        'relynt_verify_receipt',
      ])
    } finally {
      // DELETE /mcp: frees its place under the session cap at once.
      await (connected.transport as StreamableHTTPClientTransport).terminateSession()
      await connected.close()
    }
  })

  it('refuses a session beyond the cap with a JSON-RPC error, and closes idle ones', async () => {
    const opened = await Promise.all([initialize(), initialize()])
    for (const response of opened) {
      expect(response.status).toBe(200)
      await response.body?.cancel()
    }
    const refused = await initialize()
    expect(refused.status).toBe(503)
    expect(await refused.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32002, message: expect.stringMatching(/maximum of 2 sessions/) },
    })

    await new Promise((resolve) => setTimeout(resolve, 1_600))
    const expired = await fetch(server.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': opened[0]!.headers.get('mcp-session-id')!,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    })
    expect(expired.status).toBe(404)
    expect(await expired.json()).toMatchObject({
      error: { code: -32001, message: expect.stringMatching(/expired/) },
    })
    const reopened = await initialize()
    expect(reopened.status).toBe(200)
    await reopened.body?.cancel()
  })

  it('refuses a request from another Origin, even with the token', async () => {
    const response = await initialize({ origin: 'http://evil.example' })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: { message: expect.stringMatching(/Origin/) } })
  })
})

describe('x-mcp start-up checks', () => {
  it.each([
    ['a short one', '  tok3n  '],
    ['a long one with spaces around it', `  ${'x'.repeat(40)}  `],
  ])('refuses to start with %s as the bearer token, without printing it', async (_name, weak) => {
    const { code, stderr } = await runToExit(['--http'], { ...services.env, X_MCP_HTTP_TOKEN: weak })
    expect(code).toBe(1)
    expect(stderr).toMatch(/at least 32 characters/)
    expect(stderr).not.toContain(weak.trim())
  })

  it('refuses an unknown tool name in --tools, naming the ones there are', async () => {
    const { code, stderr } = await runToExit(['--tools', 'ralio_pay,ralio_wire'], services.env)
    expect(code).toBe(2)
    expect(stderr).toMatch(/no tool "ralio_wire"; choose from .*ralio_pay/)
  })

  it('refuses a store it cannot reach before it serves anything', async () => {
    const { code, stderr } = await runToExit(['--store', 'redis://127.0.0.1:1'], services.env)
    expect(code).toBe(1)
    expect(stderr).toMatch(/pending-call store at redis:\/\/127\.0\.0\.1:1 did not answer/)
  })
})
