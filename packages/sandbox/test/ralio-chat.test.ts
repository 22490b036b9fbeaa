import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import { adminHeaders, parseServerSentEvents, postJson, TestCredential } from './ralio-test-client.js'
import { readUntilEndOrCut } from './read-until-end-or-cut.js'

interface ChatResponseBody {
  reply: string
  conversation_id: string
  new_messages: { id: string; role: string; content: string; created_at: string }[]
}

interface PaymentIntentBody {
  id: string
  approval_status: string
  execution_status: string
  total_amount: string
  currency: string
  instructions: {
    amount: string
    status: string
    idempotency_key: string
    reference: string | null
    transaction_id: string | null
  }[]
}

interface TransactionBody {
  id: string
  amount: string
  status: string
  reference: string | null
  payment_intent_id: string
}

let sandbox: RalioSandbox
let credential: TestCredential
let token: string
let agentId: string

beforeAll(async () => {
  sandbox = await startRalioSandbox({ startingBalance: '5000.00', spendLimit: '1000.00' })
  credential = await TestCredential.register(sandbox)
  token = (await credential.mintToken()).access_token
  agentId = sandbox.agents[0]!.id
})
afterEach(() => sandbox.clearFaults())
afterAll(() => sandbox.close())

async function chat(message: string, conversationId?: string): Promise<ChatResponseBody> {
  const response = await credential.resource('POST', '/api/chat', {
    token,
    body: { agent_id: agentId, message, ...(conversationId ? { conversation_id: conversationId } : {}) },
  })
  expect(response.status).toBe(200)
  return (await response.json()) as ChatResponseBody
}

async function listIntents(query = ''): Promise<{ payment_intents: PaymentIntentBody[]; total: number }> {
  const response = await credential.resource('GET', `/api/payment-intents${query}`, { token })
  expect(response.status).toBe(200)
  return (await response.json()) as { payment_intents: PaymentIntentBody[]; total: number }
}

async function listTransactions(
  query = '',
): Promise<{ transactions: TransactionBody[]; total: number; page: number; per_page: number }> {
  const response = await credential.resource('GET', `/api/transactions${query}`, { token })
  expect(response.status).toBe(200)
  return (await response.json()) as {
    transactions: TransactionBody[]
    total: number
    page: number
    per_page: number
  }
}

describe('chat', () => {
  it('pays below the spend limit at once: intent auto-approved, transaction submitted, balance down', async () => {
    const body = await chat('Pay £500 to Bob for the April invoice')
    expect(body.reply).toContain('£500.00')
    expect(body.reply).toContain('Bob')
    expect(body.new_messages.map((message) => message.role)).toEqual(['user', 'tool', 'assistant'])

    const [intent] = (await listIntents()).payment_intents
    expect(intent).toMatchObject({
      approval_status: 'auto_approved',
      execution_status: 'completed',
      total_amount: '500.00',
    })
    expect(intent?.instructions[0]).toMatchObject({
      amount: '500.00',
      status: 'completed',
      reference: 'the April invoice',
    })
    expect(intent?.instructions[0]?.idempotency_key).toEqual(expect.any(String))
    const [transaction] = (await listTransactions()).transactions
    expect(transaction).toMatchObject({
      amount: '500.00',
      status: 'submitted',
      payment_intent_id: intent?.id,
    })

    const balance = await chat('What is my balance?', body.conversation_id)
    expect(balance.conversation_id).toBe(body.conversation_id)
    expect(balance.reply).toBe('Your balance is £4,500.00.')
  })

  it('understands amounts written in several ways, in exact decimal arithmetic', async () => {
    await chat('pay 0.10 to Carol for a')
    await chat('pay 0.20 GBP to Carol for b')
    const recent = await chat('list my recent payments')
    expect(recent.reply).toContain('£0.20 to Carol (b)')
    expect(recent.reply).toContain('£0.10 to Carol (a)')
    const balance = await chat("what's my balance")
    expect(balance.reply).toBe('Your balance is £4,499.70.')
  })

  it('refuses a payment in a currency the account does not hold, with a failed tool call', async () => {
    const body = await chat('Pay €20 to Dan')
    const tool = JSON.parse(body.new_messages[1]?.content ?? '{}') as { error?: string }
    expect(tool.error).toContain('EUR')
    expect(body.reply).toContain('only holds GBP')
  })

  it('answers anything else with a friendly explanation of what it can do', async () => {
    expect((await chat('hello there')).reply).toContain('Pay £25 to Alice for lunch')
  })

  it('waits for the owner above the spend limit, then pays once approved through the admin API', async () => {
    const body = await chat('Pay £1,500 to Erin for the deposit')
    expect(body.new_messages.map((message) => message.role)).toContain('spend_limit_approval')
    const [pending] = (await listIntents()).payment_intents
    expect(pending).toMatchObject({ approval_status: 'pending_user_approval', execution_status: 'pending' })
    const transactionsBefore = (await listTransactions()).total

    const approval = await postJson(
      `${sandbox.url}/__admin/payment-intents/${pending?.id}/approve`,
      {},
      adminHeaders(sandbox),
    )
    expect(approval.status).toBe(200)
    const [approved] = (await listIntents()).payment_intents
    expect(approved).toMatchObject({
      id: pending?.id,
      approval_status: 'approved_by_user',
      execution_status: 'completed',
    })
    const transactions = await listTransactions()
    expect(transactions.total).toBe(transactionsBefore + 1)
    expect(transactions.transactions[0]).toMatchObject({ amount: '1500.00', payment_intent_id: pending?.id })

    const again = await postJson(
      `${sandbox.url}/__admin/payment-intents/${pending?.id}/approve`,
      {},
      adminHeaders(sandbox),
    )
    expect(again.status).toBe(409)
  })

  it('cancels a rejected intent without moving money', async () => {
    await chat('Pay 2000 to Frank')
    const [pending] = (await listIntents()).payment_intents
    const before = sandbox.stats().balances[agentId]
    const rejection = await postJson(
      `${sandbox.url}/__admin/payment-intents/${pending?.id}/reject`,
      {
        reason: 'not today',
      },
      adminHeaders(sandbox),
    )
    expect(rejection.status).toBe(200)
    const [rejected] = (await listIntents()).payment_intents
    expect(rejected).toMatchObject({ approval_status: 'rejected' })
    expect(sandbox.stats().balances[agentId]).toBe(before)
  })

  it('reports a transaction delivered once it has settled on the server clock', async () => {
    sandbox.setClockOffset(5000)
    credential.clockOffsetMs = 5000
    try {
      expect((await listTransactions()).transactions[0]?.status).toBe('delivered')
    } finally {
      sandbox.setClockOffset(0)
      credential.clockOffsetMs = 0
    }
  })

  it('refuses another agent with 403 and malformed bodies with 422', async () => {
    const wrongAgent = await credential.resource('POST', '/api/chat', {
      token,
      body: { agent_id: 'someone-else', message: 'hi' },
    })
    expect(wrongAgent.status).toBe(403)
    expect(await wrongAgent.json()).toEqual({ detail: 'Agent not found or access denied' })
    const missing = await credential.resource('POST', '/api/chat', { token, body: { agent_id: agentId } })
    expect(missing.status).toBe(422)
    const detail = ((await missing.json()) as { detail: { loc: string[] }[] }).detail
    expect(detail[0]?.loc).toEqual(['body', 'message'])
    const notJson = await credential.resource('POST', '/api/chat', { token, body: '{oops' })
    expect(notJson.status).toBe(422)
    const unknownConversation = await credential.resource('POST', '/api/chat', {
      token,
      body: { agent_id: agentId, message: 'hi', conversation_id: 'nope' },
    })
    expect(unknownConversation.status).toBe(404)
  })

  it('records every chat it received in stats', async () => {
    const before = sandbox.stats().chats.length
    const body = await chat('what is my balance')
    const chats = sandbox.stats().chats
    expect(chats).toHaveLength(before + 1)
    expect(chats.at(-1)).toMatchObject({
      message: 'what is my balance',
      conversationId: body.conversation_id,
      stream: false,
    })
  })
})

describe('chat stream', () => {
  const stream = (message: string) =>
    credential.resource('POST', '/api/chat/stream', {
      token,
      body: { agent_id: agentId, message },
      headers: { accept: 'text/event-stream' },
    })

  it('streams conversation, tool events, several text deltas and the full reply last', async () => {
    const response = await stream('Pay £12.50 to Grace for coffee')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const { events } = parseServerSentEvents(await response.text())
    const names = events.map((event) => event.event)
    expect(names.slice(0, 3)).toEqual(['conversation', 'tool_started', 'tool_completed'])
    expect(names.at(-1)).toBe('reply')
    const deltas = events.filter((event) => event.event === 'text_delta')
    expect(deltas.length).toBeGreaterThan(2)
    const reply = JSON.parse(events.at(-1)?.data ?? '{}') as { text: string }
    expect(deltas.map((event) => (JSON.parse(event.data) as { text: string }).text).join('')).toBe(reply.text)
    const started = JSON.parse(events[1]?.data ?? '{}') as {
      tool_call_id: string
      tool_name: string
      arguments: unknown
    }
    expect(started).toMatchObject({
      tool_name: 'create_payment_intent',
      arguments: { amount: '12.50', creditor_name: 'Grace' },
    })
  })

  it('ends with an error event when the agent fails', async () => {
    const { events } = parseServerSentEvents(await (await stream('simulate agent failure')).text())
    expect(events.map((event) => event.event)).toEqual(['conversation', 'error'])
    expect(JSON.parse(events[1]?.data ?? '{}')).toEqual({ message: expect.stringContaining('failed') })
  })

  it('sends keep-alive comments while a slow stream is open', async () => {
    const slow = await startRalioSandbox({ streamDelayMs: 30, keepAliveIntervalMs: 10 })
    try {
      const slowCredential = await TestCredential.register(slow)
      const slowToken = (await slowCredential.mintToken()).access_token
      const response = await slowCredential.resource('POST', '/api/chat/stream', {
        token: slowToken,
        body: { agent_id: slow.agents[0]?.id, message: 'what is my balance' },
      })
      const { events, comments } = parseServerSentEvents(await response.text())
      expect(comments).toContain('keep-alive')
      expect(events.at(-1)?.event).toBe('reply')
    } finally {
      await slow.close()
    }
  })

  it('can be cut mid-way by a fault, after the payment was made', async () => {
    sandbox.injectFault({ route: 'POST /api/chat/stream', cutStreamAfterEvents: 2 })
    const response = await stream('Pay £3 to Heidi for CUT-1')
    const { text, cut } = await readUntilEndOrCut(response)
    expect(cut).toBe(true)
    expect(parseServerSentEvents(text).events.map((event) => event.event)).toEqual([
      'conversation',
      'tool_started',
    ])
    expect(sandbox.stats().paymentIntents.filter((intent) => intent.reference === 'CUT-1')).toHaveLength(1)
  })
})

describe('faults', () => {
  it('can answer 502 after the work was done: the payment intent exists', async () => {
    const fault = await postJson(
      `${sandbox.url}/__admin/faults`,
      {
        route: 'POST /api/chat',
        status: 502,
        after: true,
      },
      adminHeaders(sandbox),
    )
    expect(fault.status).toBe(201)
    const response = await credential.resource('POST', '/api/chat', {
      token,
      body: { agent_id: agentId, message: 'Pay £7 to Ivan for FAULT-1' },
    })
    expect(response.status).toBe(502)
    expect(await response.json()).toEqual({ detail: 'Injected fault: HTTP 502' })
    const intents = sandbox.stats().paymentIntents.filter((intent) => intent.reference === 'FAULT-1')
    expect(intents).toEqual([expect.objectContaining({ amount: '7.00', executionStatus: 'completed' })])
  })
})

describe('pagination', () => {
  it('pages newest first with total, page and per_page', async () => {
    const fresh = await startRalioSandbox()
    try {
      const payer = await TestCredential.register(fresh)
      const payerToken = (await payer.mintToken()).access_token
      for (const index of [1, 2, 3, 4, 5]) {
        const response = await payer.resource('POST', '/api/chat', {
          token: payerToken,
          body: { agent_id: fresh.agents[0]?.id, message: `pay ${index} to Judy for P-${index}` },
        })
        expect(response.status).toBe(200)
      }
      const page = async (query: string) => {
        const response = await payer.resource('GET', `/api/transactions${query}`, { token: payerToken })
        return {
          status: response.status,
          body: (await response.json()) as {
            transactions: TransactionBody[]
            total: number
            page: number
            per_page: number
          },
        }
      }
      const second = await page('?page=2&per_page=2')
      expect(second.body).toMatchObject({ total: 5, page: 2, per_page: 2 })
      expect(second.body.transactions.map((row) => row.reference)).toEqual(['P-3', 'P-2'])
      expect((await page('?page=3&per_page=2')).body.transactions.map((row) => row.reference)).toEqual([
        'P-1',
      ])
      expect((await page('')).body).toMatchObject({ page: 1, per_page: 50, total: 5 })
      expect((await page('?per_page=201')).status).toBe(422)
      expect((await page('?page=0')).status).toBe(422)
      expect((await page(`?agent_id=${fresh.agents[0]?.id}`)).status).toBe(200)
      expect((await page('?agent_id=another-agent')).status).toBe(403)
      const intents = await payer.resource('GET', '/api/payment-intents?per_page=200', { token: payerToken })
      expect(((await intents.json()) as { total: number }).total).toBe(5)
    } finally {
      await fresh.close()
    }
  })
})
