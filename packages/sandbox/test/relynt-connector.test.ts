import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  expectedRequestHash,
  getJson,
  type RelyntFixture,
  startFixture,
  toolCallJson,
} from './relynt-test-helpers.js'

let fixture: RelyntFixture
let upstream: Server | undefined

afterEach(async () => {
  await fixture.sandbox.close()
  if (upstream !== undefined) {
    upstream.closeAllConnections()
    await new Promise((resolve) => upstream!.close(resolve))
    upstream = undefined
  }
})

const ticket = {
  instance_id: 'run-7',
  action: 'close_ticket',
  resource: 'support:ticket:42',
  payload: { note: 'done' },
}

/** A tiny local HTTP endpoint standing in for a customer's connector. */
async function startUpstream(
  respond: (request: IncomingMessage, body: string) => { status: number; body: string },
) {
  const received: { headers: IncomingMessage['headers']; body: unknown }[] = []
  upstream = createServer(async (request, response) => {
    let text = ''
    for await (const chunk of request) text += chunk
    received.push({ headers: request.headers, body: JSON.parse(text) })
    const answer = respond(request, text)
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body)
  })
  await new Promise<void>((resolve) => upstream!.listen(0, '127.0.0.1', resolve))
  const { port } = upstream.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hooks/relynt`, received }
}

describe('connectors', () => {
  it('returns no tool_response when no connector is configured', async () => {
    fixture = await startFixture()
    const { body } = await toolCallJson(fixture, ticket)
    expect(body.decision).toBe('allow')
    expect(body).not.toHaveProperty('tool_response')
    const receipt = await getJson(fixture, `/v1/receipts/${body.receipt_id}`)
    expect(receipt.body).not.toHaveProperty('response_hash')
  })

  it("echoes the call with the built-in 'echo' connector", async () => {
    fixture = await startFixture({ connector: 'echo' })
    const { body } = await toolCallJson(fixture, ticket)
    expect(body.tool_response).toEqual({
      echo: {
        agent_id: fixture.agentId,
        instance_id: 'run-7',
        action: 'close_ticket',
        resource: 'support:ticket:42',
        payload: { note: 'done' },
        idempotency_key: expect.any(String),
      },
    })
  })

  it('POSTs the call to a URL connector and returns its JSON as tool_response, hashed in the receipt', async () => {
    const connector = await startUpstream(() => ({ status: 200, body: '{"ticket":42,"state":"closed"}' }))
    fixture = await startFixture({ connector: { url: connector.url } })
    const { body } = await toolCallJson(fixture, ticket, { idempotencyKey: 'close-42' })
    expect(body.tool_response).toEqual({ ticket: 42, state: 'closed' })
    expect(connector.received).toHaveLength(1)
    expect(connector.received[0]!.body).toMatchObject({ action: 'close_ticket', idempotency_key: 'close-42' })
    expect(connector.received[0]!.headers['idempotency-key']).toBe('close-42')
    const receipt = await getJson(fixture, `/v1/receipts/${body.receipt_id}`)
    expect(receipt.body.response_hash).toBe(expectedRequestHash({ ticket: 42, state: 'closed' }))
  })

  it('answers 502 connector_error with an error receipt when the connector fails, and replays it', async () => {
    const connector = await startUpstream(() => ({ status: 500, body: '{"oops":true}' }))
    fixture = await startFixture({ connector: { url: connector.url } })
    const first = await toolCallJson(fixture, ticket, { idempotencyKey: 'fails' })
    expect(first.status).toBe(502)
    expect(first.body).toMatchObject({ error: { code: 'connector_error', receipt_id: expect.any(String) } })
    const receiptId = (first.body.error as { receipt_id: string }).receipt_id
    expect((await getJson(fixture, `/v1/receipts/${receiptId}`)).body).toMatchObject({ decision: 'error' })
    const retry = await toolCallJson(fixture, ticket, { idempotencyKey: 'fails' })
    expect(retry).toEqual(first)
    expect(connector.received).toHaveLength(1)
  })

  it('reports a failing function connector as connector_error without leaking a stack', async () => {
    fixture = await startFixture({
      connector: async () => {
        throw new Error('CRM is down')
      },
    })
    const { status, body } = await toolCallJson(fixture, ticket)
    expect(status).toBe(502)
    expect(body).toMatchObject({
      error: { code: 'connector_error', message: 'Connector failed: CRM is down' },
    })
  })

  it('records a connector failure after approval on the approval and the final error receipt', async () => {
    fixture = await startFixture({
      connector: async () => {
        throw new Error('write refused')
      },
    })
    const { body } = await toolCallJson(fixture, {
      ...ticket,
      action: 'refund_payment',
      resource: 'payment:refund:1',
    })
    await fixture.sandbox.approve(body.approval_id as string)
    const approval = await getJson(fixture, `/v1/approvals/${body.approval_id}`)
    expect(approval.body).toMatchObject({ status: 'approved', error: { code: 'connector_error' } })
    expect((await getJson(fixture, `/v1/receipts/${approval.body.receipt_id}`)).body).toMatchObject({
      decision: 'error',
    })
  })
})
