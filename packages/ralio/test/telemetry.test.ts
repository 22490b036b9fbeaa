import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { Page } from '@x/core'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { childrenOf, spanNamed, startTracing, type Tracing } from '../../core/test/support/tracing.js'
import { type RalioSandbox, registeredClient, startSandbox } from './sandbox.js'

let sandbox: RalioSandbox
let tracing: Tracing
beforeAll(async () => {
  sandbox = await startSandbox()
  tracing = startTracing()
})
afterAll(async () => {
  await tracing.stop()
  await sandbox.close()
})
afterEach(() => {
  tracing.reset()
  sandbox.clearFaults()
})

/** Real HTTP to the sandbox, with an `x-request-id` added to each response as a gateway in front would. */
function withRequestIds(): typeof fetch {
  let count = 0
  return async (input, init) => {
    const response = await fetch(input, init)
    const headers = new Headers(response.headers)
    headers.set('x-request-id', `req_${++count}`)
    return new Response(response.body, { status: response.status, headers })
  }
}

describe('token spans', () => {
  it('records the first mint as ralio.token.mint with the grant, scope and lifetime, its POST as a child', async () => {
    const { client, clientId } = await registeredClient(sandbox)
    await client.agents.list()
    const spans = tracing.spans()
    const mint = spanNamed(spans, 'ralio.token.mint')
    expect(mint.attributes).toMatchObject({
      'ralio.client_id': clientId,
      'ralio.token.grant': 'mint',
      'ralio.token.expires_in': 1800,
      'ralio.token.refresh_token_issued': true,
      'ralio.retry_count': 0,
    })
    expect(typeof mint.attributes['ralio.token.scope']).toBe('string')
    const [post] = childrenOf(spans, mint)
    expect(post!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `${sandbox.url}/oauth/token`,
      'http.response.status_code': 200,
    })
    client.close()
  })

  it('records a refresh before expiry as ralio.token.refresh', async () => {
    const { client } = await registeredClient(sandbox)
    await client.agents.list()
    tracing.reset()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 28 * 60_000)
      await client.agents.list()
    } finally {
      vi.useRealTimers()
    }
    const names = tracing.spans().map((span) => span.name)
    expect(names).toContain('ralio.token.refresh')
    expect(names).not.toContain('ralio.token.mint')
    client.close()
  })

  it('shows a refused refresh as a failed refresh span followed by a mint', async () => {
    const { client, clientId } = await registeredClient(sandbox)
    await client.agents.list()
    sandbox.revokeTokens(clientId)
    tracing.reset()
    await client.agents.list()
    const spans = tracing.spans()
    const refresh = spanNamed(spans, 'ralio.token.refresh')
    expect(refresh.status.code).toBe(2)
    expect(refresh.attributes['error.type']).toEqual(expect.any(String))
    expect(spanNamed(spans, 'ralio.token.mint').status.code).toBe(0)
    client.close()
  })
})

describe('chat stream span', () => {
  it('spans a chat stream from its request to the reply, with the event count and conversation id', async () => {
    const { client } = await registeredClient(sandbox)
    await client.agents.list() // the agent lookup and first mint, out of the way
    tracing.reset()
    const stream = client.chat.stream({ message: 'Pay £5 to Bob for coffee' })
    let events = 0
    for await (const _event of stream) events++
    const spans = tracing.spans()
    const chat = spanNamed(spans, 'ralio.chat.stream')
    expect(chat.attributes).toMatchObject({
      'ralio.chat.event_count': events,
      'ralio.chat.replied': true,
      'ralio.conversation_id': stream.conversationId,
      'ralio.retry_count': 0,
    })
    expect(events).toBeGreaterThan(2)
    // The chat's one-time agent lookup (a GET) and its request (a POST) both belong to it.
    const post = childrenOf(spans, chat).find((span) => span.name === 'POST')
    expect(post?.attributes).toMatchObject({
      'url.full': `${sandbox.url}/api/chat/stream`,
      'http.response.status_code': 200,
    })
    client.close()
  })

  it('ends the chat span at the reply when finalReply() stops reading there', async () => {
    const { client } = await registeredClient(sandbox)
    await client.chat.stream({ message: 'What is my balance?' }).finalReply()
    const chat = spanNamed(tracing.spans(), 'ralio.chat.stream')
    expect(chat.attributes['ralio.chat.replied']).toBe(true)
    expect(chat.ended).toBe(true)
    client.close()
  })

  it('ends the chat span with the error when the stream cannot be opened', async () => {
    const { client } = await registeredClient(sandbox, { maxRetries: 0 })
    await client.agents.list()
    sandbox.injectFault({ route: 'POST /api/chat/stream', status: 503, body: { detail: 'down' } })
    await expect(client.chat.stream({ message: 'hello' }).finalReply()).rejects.toThrow()
    const chat = spanNamed(tracing.spans(), 'ralio.chat.stream')
    expect(chat.status.code).toBe(2)
    expect(chat.attributes['error.type']).toEqual(expect.any(String))
    client.close()
  })
})

describe('withResponse()', () => {
  it('gives agents.list() data with the raw response and request id', async () => {
    const { client } = await registeredClient(sandbox, { fetch: withRequestIds() })
    const { data, response, requestId } = await client.agents.list().withResponse()
    expect(data).toHaveLength(1)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/json/)
    expect(requestId).toMatch(/^req_\d+$/)
    client.close()
  })

  it('gives chat.send() the reply with its response, and awaiting it still gives the reply alone', async () => {
    const { client } = await registeredClient(sandbox, { fetch: withRequestIds() })
    const { data, response, requestId } = await client.chat
      .send({ message: 'What is my balance?' })
      .withResponse()
    expect(typeof data.reply).toBe('string')
    expect(response.ok).toBe(true)
    expect(requestId).toMatch(/^req_\d+$/)
    const plain = await client.chat.send({ message: 'What is my balance?' })
    expect(typeof plain.reply).toBe('string')
    client.close()
  })

  it('gives the first page of transactions and payment intents with their responses', async () => {
    const { client } = await registeredClient(sandbox, { fetch: withRequestIds() })
    const transactions = await client.transactions.list({ perPage: 5 }).withResponse()
    expect(transactions.data).toBeInstanceOf(Page)
    expect(transactions.response.status).toBe(200)
    expect(transactions.requestId).toMatch(/^req_\d+$/)
    const intents = await client.paymentIntents.list().withResponse()
    expect(intents.data).toBeInstanceOf(Page)
    expect(intents.requestId).not.toBe(transactions.requestId)
    client.close()
  })
})

describe('secrets', () => {
  it('puts no token, proof, assertion, key or ticket in any span attribute, event or status', async () => {
    const secrets = new Set<string>()
    const keep = (value: string | null | undefined) => {
      if (value) secrets.add(value.replace(/^(DPoP|Bearer) /, ''))
    }
    // Everything secret that crosses the wire, both ways.
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init)
      keep(request.headers.get('authorization'))
      keep(request.headers.get('dpop'))
      const form = new URLSearchParams(await request.clone().text())
      keep(form.get('client_assertion'))
      keep(form.get('refresh_token'))
      const response = await fetch(request)
      if (new URL(request.url).pathname === '/oauth/token' && response.ok) {
        const tokens = (await response.clone().json()) as { access_token: string; refresh_token?: string }
        keep(tokens.access_token)
        keep(tokens.refresh_token)
      }
      return response
    }
    const ticket = sandbox.mintTicket().ticket
    secrets.add(ticket)
    const { client, clientId, store } = await registeredClient(sandbox, { fetch: recording })
    const stored = await store.load()
    keep(stored.privateKeyPem!)
    await client.agents.list()
    await client.chat.send({ message: 'Pay £5 to Bob for coffee' })
    await client.chat.stream({ message: 'What is my balance?' }).finalReply()
    sandbox.revokeTokens(clientId) // a 401, a refused refresh and a new mint
    await client.transactions.list()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 28 * 60_000)
      await client.paymentIntents.list() // a refresh that works
    } finally {
      vi.useRealTimers()
    }
    client.close()

    const spans = tracing.spans()
    expect(spans.map((span) => span.name)).toEqual(
      expect.arrayContaining(['ralio.token.mint', 'ralio.token.refresh', 'ralio.chat.stream', 'GET', 'POST']),
    )
    expect(secrets.size).toBeGreaterThan(5)
    const exported = JSON.stringify(spans.map(exportedFields))
    for (const secret of secrets) expect(exported).not.toContain(secret)
  })
})

function exportedFields(span: ReadableSpan) {
  return {
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    status: span.status,
  }
}
