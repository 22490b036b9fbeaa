import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { importSigningKey } from '../src/auth/signing-key.js'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioClient } from '../src/ralio-client.js'
import { register } from '../src/register.js'
import { importPemKey, temporaryDirectory } from './helpers.js'
import { type RalioSandbox, registeredClient, startSandbox } from './sandbox.js'

describe('RalioClient against the sandbox', () => {
  let sandbox: RalioSandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())

  it('lists the one agent the binding is pinned to, in camelCase', async () => {
    await using setup = await registeredClient(sandbox).then((value) => ({
      ...value,
      [Symbol.asyncDispose]: async () => value.client.close(),
    }))
    const agents = await setup.client.agents.list()
    expect(agents).toEqual([
      {
        id: sandbox.agents[0]!.id,
        name: sandbox.agents[0]!.name,
        agentNumber: sandbox.agents[0]!.agentNumber,
        bankingProvider: expect.any(String),
        createdAt: expect.any(String),
      },
    ])
  })

  it('looks the pinned agent up once for every caller, and a failed look-up does not stick', async () => {
    const agentLookups: string[] = []
    const { client } = await registeredClient(sandbox, {
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input))
        if (url.pathname === '/api/agents') agentLookups.push(url.pathname)
        return fetch(input, init)
      },
    })
    try {
      // An aborted first look-up is not kept: the next caller asks again.
      const aborted = new AbortController()
      aborted.abort()
      await expect(client.agents.pinned({ signal: aborted.signal })).rejects.toThrow()
      const lookupsAfterAbort = agentLookups.length
      const [first, second] = await Promise.all([client.agents.pinned(), client.agents.pinned()])
      expect(first).toBe(second)
      expect(first.id).toBe(sandbox.agents[0]!.id)
      const lookupsBeforeChat = agentLookups.length
      // Chat without an agent id uses the same look-up: no second request for it.
      await client.chat.send({ message: 'What is my balance?' })
      expect(lookupsBeforeChat).toBe(lookupsAfterAbort + 1)
      expect(agentLookups).toHaveLength(lookupsBeforeChat)
    } finally {
      client.close()
    }
  })

  it('sends a chat message that pays, resolving the agent itself, and continues the conversation', async () => {
    const { client } = await registeredClient(sandbox)
    const first = await client.chat.send({ message: 'Pay £12.50 to Alice for lunch' })
    expect(first.reply).toMatch(/12\.50/)
    expect(first.conversationId).toEqual(expect.any(String))
    expect(first.newMessages[0]).toMatchObject({ role: 'user', content: 'Pay £12.50 to Alice for lunch' })
    expect(first.newMessages.at(-1)).toMatchObject({ role: 'assistant' })

    const second = await client.chat.send({
      message: 'What is my balance?',
      conversationId: first.conversationId,
    })
    expect(second.conversationId).toBe(first.conversationId)
    const chats = sandbox.stats().chats.filter((chat) => chat.conversationId === first.conversationId)
    expect(chats).toHaveLength(2)
    client.close()
  })

  it('streams a chat reply: conversation, tool events, text deltas, then the reply, all camelCase', async () => {
    const { client } = await registeredClient(sandbox)
    const events = []
    for await (const event of client.chat.stream({ message: 'Pay £5 to Bob for coffee' })) events.push(event)
    const names = events.map((event) => event.event)
    expect(names[0]).toBe('conversation')
    expect(names).toContain('tool_started')
    expect(names).toContain('tool_completed')
    expect(names.at(-1)).toBe('reply')
    expect(events[0]!.data).toEqual({ conversationId: expect.any(String) })
    const toolStarted = events.find((event) => event.event === 'tool_started')!
    expect(toolStarted.data).toMatchObject({ toolCallId: expect.any(String), toolName: expect.any(String) })
    const deltas = events.filter((event) => event.event === 'text_delta').map((event) => event.text)
    const reply = events.at(-1)!
    expect(deltas.join('')).toBe(reply.text)
    expect(reply.text).toMatch(/5\.00/)
    client.close()
  })

  it('streams a chat reply in batches: the same events in the same order, the conversation id kept', async () => {
    const { client } = await registeredClient(sandbox)
    const stream = client.chat.stream({ message: 'Pay £6 to Bob for tea' })
    const batches = []
    for await (const batch of stream.batches()) batches.push(batch)
    expect(batches.every((batch) => batch.length > 0)).toBe(true)
    const events = batches.flat()
    expect(events[0]).toMatchObject({ event: 'conversation', data: { conversationId: expect.any(String) } })
    expect(events.at(-1)).toMatchObject({ event: 'reply', text: expect.stringMatching(/6\.00/) })
    const deltas = events.filter((event) => event.event === 'text_delta').map((event) => event.text)
    expect(deltas.join('')).toBe(events.at(-1)!.text)
    expect(stream.conversationId).toBe((events[0]!.data as { conversationId: string }).conversationId)
    client.close()
  })

  it('a chat stream is read one way only: batches() after iterating throws', async () => {
    const { client } = await registeredClient(sandbox)
    const stream = client.chat.stream({ message: 'What is my balance?' })
    await stream.finalReply()
    expect(() => stream.batches()).toThrow(/read only once/)
    client.close()
  })

  it('finalReply() reads the stream to its end', async () => {
    const { client } = await registeredClient(sandbox)
    const stream = client.chat.stream({ message: 'What is my balance?' })
    const result = await stream.finalReply()
    expect(result.reply).toMatch(/balance/i)
    expect(result.conversationId).toBe(stream.conversationId)
    expect(result.conversationId).toEqual(expect.any(String))
    client.close()
  })

  it('pages transactions and payment intents; for await walks every page; amounts stay decimal strings', async () => {
    const { client } = await registeredClient(sandbox)
    for (const amount of ['1.10', '2.20', '3.30', '4.40', '5.50']) {
      await client.chat.send({ message: `Pay £${amount} to Carol for test ${amount}` })
    }
    const page = await client.transactions.list({ perPage: 2 })
    expect(page.page).toBe(1)
    expect(page.perPage).toBe(2)
    expect(page.length).toBe(2)
    expect(page.total).toBeGreaterThanOrEqual(5)
    expect([...page]).toEqual(page.data)
    expect(typeof page.data[0]!.amount).toBe('string')
    expect(page.data[0]).toMatchObject({ currency: 'GBP', paymentIntentId: expect.any(String) })

    const amounts: string[] = []
    for await (const transaction of client.transactions.list({ perPage: 2 }))
      amounts.push(transaction.amount!)
    expect(amounts).toHaveLength(page.total)
    expect(amounts).toEqual(expect.arrayContaining(['1.10', '2.20', '3.30', '4.40', '5.50']))

    const intents = []
    for await (const intent of client.paymentIntents.list({ perPage: 2 })) intents.push(intent)
    expect(intents.length).toBeGreaterThanOrEqual(5)
    const intent = intents.find((candidate) => candidate.totalAmount === '3.30')!
    expect(intent).toMatchObject({
      approvalStatus: 'auto_approved',
      currency: 'GBP',
      instructionCount: 1,
      agentId: sandbox.agents[0]!.id,
    })
    expect(intent.instructions[0]).toMatchObject({
      amount: '3.30',
      creditorName: 'Carol',
      reference: 'test 3.30',
    })

    const second = await page.getNextPage()
    expect(second.page).toBe(2)
    expect(second.data[0]!.id).not.toBe(page.data[0]!.id)
    client.close()
  })

  it('tolerates an older server answering transactions with a bare array', async () => {
    const { client } = await registeredClient(sandbox)
    await client.agents.list()
    sandbox.injectFault({
      route: 'GET /api/transactions',
      status: 200,
      body: [{ id: 'tx_old', amount: '9.99', currency: 'GBP', status: 'delivered' }],
    })
    const page = await client.transactions.list()
    expect(page.data).toEqual([expect.objectContaining({ id: 'tx_old', amount: '9.99' })])
    expect(page.total).toBe(1)
    expect(page.hasNextPage()).toBe(false)
    client.close()
  })

  it('refuses a perPage that is not a positive integer before sending anything, and caps none itself', async () => {
    const { client } = await registeredClient(sandbox)
    for (const perPage of [0, -1, 2.5]) {
      expect(() => client.transactions.list({ perPage })).toThrow(/perPage must be a positive integer/)
    }
    // No source states a maximum: a large page is the server's to refuse or cap.
    await expect(client.transactions.list({ perPage: 200 })).resolves.toBeDefined()
    client.close()
  })

  it('sends defaultHeaders on every call and per-call headers over them; maxRetries per call', async () => {
    const seen: Headers[] = []
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init)
      if (new URL(request.url).pathname.startsWith('/api/')) seen.push(request.headers)
      return globalThis.fetch(request)
    }
    const { client } = await registeredClient(sandbox, { fetch, defaultHeaders: { 'x-team': 'payments' } })
    await client.agents.list({ headers: { 'x-call': 'agents' } })
    await client.transactions.list({ perPage: 1, headers: { 'x-team': 'override' } })
    expect(seen.map((headers) => [headers.get('x-team'), headers.get('x-call')])).toEqual([
      ['payments', 'agents'],
      ['override', null],
    ])
    sandbox.injectFault({ route: 'GET /api/agents', count: 5, status: 503, body: { detail: 'busy' } })
    try {
      const before = seen.length
      await expect(client.agents.list({ maxRetries: 0 })).rejects.toMatchObject({ statusCode: 503 })
      expect(seen.length - before).toBe(1)
    } finally {
      sandbox.clearFaults()
    }
    client.close()
  })

  it('reads the log level from RALIO_LOG', async () => {
    vi.stubEnv('RALIO_LOG', 'debug')
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    try {
      const { client } = await registeredClient(sandbox)
      await client.agents.list()
      expect(debug).toHaveBeenCalled()
      client.close()
    } finally {
      debug.mockRestore()
      vi.unstubAllEnvs()
    }
  })

  it('works with zero config from RALIO_CONFIG_DIR and RALIO_API_URL after register()', async () => {
    const dir = await temporaryDirectory()
    vi.stubEnv('RALIO_CONFIG_DIR', join(dir.path, 'ralio'))
    vi.stubEnv('RALIO_API_URL', sandbox.url)
    vi.stubEnv('RALIO_REGISTRATION_TICKET', sandbox.mintTicket().ticket)
    try {
      const registration = await register()
      await using client = new RalioClient()
      expect((await client.agents.list())[0]!.id).toBe(sandbox.agents[0]!.id)
      expect(client.clientId).toBe(registration.clientId)
    } finally {
      vi.unstubAllEnvs()
      await dir.cleanup()
    }
  })

  it('reuses the token register() stored instead of minting another', async () => {
    const dir = await temporaryDirectory()
    try {
      const configDir = join(dir.path, 'ralio')
      await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir })
      const before = sandbox.stats().tokenRequests
      await using client = new RalioClient({ baseUrl: sandbox.url, configDir })
      await client.agents.list()
      expect(sandbox.stats().tokenRequests).toBe(before)
    } finally {
      await dir.cleanup()
    }
  })

  it('accepts an explicit { clientId, privateKey } from a secret manager, as PEM, JWK or CryptoKey', async () => {
    const store = new MemoryCredentialStore()
    const { clientId } = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      credentialStore: store,
    })
    const pem = (await store.load()).privateKeyPem!
    const extractable = await importPemKey(pem)
    const jwk = await crypto.subtle.exportKey('jwk', extractable)
    for (const privateKey of [pem, jwk, extractable]) {
      await using client = new RalioClient({ baseUrl: sandbox.url, clientId, privateKey })
      expect(await client.agents.list()).toHaveLength(1)
    }
    expect((await importSigningKey(jwk)).jkt).toBe((await importSigningKey(pem)).jkt)
  })

  it('lets two clients share one binding, each refreshing only its own token family', async () => {
    const { client: first, store } = await registeredClient(sandbox)
    const second = new RalioClient({ baseUrl: sandbox.url, credentialStore: store })
    await first.agents.list()
    await second.agents.list()
    const before = sandbox.stats()
    // Both tokens are now within the early-renewal window (Date only: sockets keep real timers).
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 28 * 60_000)
      await Promise.all([first.transactions.list(), second.paymentIntents.list(), first.agents.list()])
    } finally {
      vi.useRealTimers()
    }
    const after = sandbox.stats()
    expect(after.familyRevocations).toBe(before.familyRevocations)
    expect(after.tokenRequests - before.tokenRequests).toBe(2)
    expect(after.refreshes - before.refreshes).toBeGreaterThanOrEqual(1)
    first.close()
    second.close()
  })

  it('rejects calls after close()', async () => {
    const { client } = await registeredClient(sandbox)
    await client.agents.list()
    client.close()
    await expect(client.agents.list()).rejects.toThrow(/closed/)
  })
})
