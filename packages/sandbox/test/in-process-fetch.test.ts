import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import { type RelyntSandbox, startRelyntSandbox } from '../src/relynt/start-relynt-sandbox.js'
import { parseServerSentEvents, TestCredential } from './ralio-test-client.js'
import { readUntilEndOrCut } from './read-until-end-or-cut.js'

// The raw test clients call the global fetch; pointing it at the sandbox's own fetch makes
// every request of a test go in process. With `listen: false` nothing else could answer.
let sandboxes: (RalioSandbox | RelyntSandbox)[] = []

afterEach(async () => {
  vi.unstubAllGlobals()
  await Promise.all(sandboxes.map((sandbox) => sandbox.close()))
  sandboxes = []
})

async function inProcessRalio(options: { streamDelayMs?: number } = {}) {
  const sandbox = await startRalioSandbox({ listen: false, ...options })
  sandboxes.push(sandbox)
  vi.stubGlobal('fetch', sandbox.fetch)
  const credential = await TestCredential.register(sandbox)
  const token = (await credential.mintToken()).access_token
  const stream = (message: string, signal?: AbortSignal) =>
    credential.resource('POST', '/api/chat/stream', {
      token,
      body: { agent_id: sandbox.agents[0]?.id, message },
      headers: { accept: 'text/event-stream' },
      ...(signal === undefined ? {} : { signal }),
    })
  return { sandbox, stream }
}

async function inProcessRelynt(options: { listen?: boolean } = {}) {
  const sandbox = await startRelyntSandbox({ listen: false, connector: 'echo', ...options })
  sandboxes.push(sandbox)
  const { agentId, secret } = sandbox.createAgent()
  const toolCall = (init: RequestInit = {}) =>
    sandbox.fetch(`${sandbox.url}/v1/agent-tool-call`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({
        instance_id: 'run-1',
        action: 'update_deal',
        resource: 'crm:deal:1',
        payload: { amount: 1 },
      }),
      ...init,
    })
  return { sandbox, toolCall }
}

describe('in-process fetch', () => {
  it('names an https origin under .invalid when it does not listen', async () => {
    const ralio = await startRalioSandbox({ listen: false })
    const relynt = await startRelyntSandbox({ listen: false })
    sandboxes.push(ralio, relynt)
    expect(ralio.url).toBe('https://ralio.sandbox.invalid')
    expect(relynt.url).toBe('https://relynt.sandbox.invalid')
  })

  it('registers, mints a DPoP-bound token and streams a chat without a server', async () => {
    const { sandbox, stream } = await inProcessRalio()
    const response = await stream('Pay £4 to Judy for IN-PROCESS-1')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const { events } = parseServerSentEvents(await response.text())
    expect(events.at(-1)?.event).toBe('reply')
    expect(sandbox.stats().paymentIntents.map((intent) => intent.reference)).toContain('IN-PROCESS-1')
  })

  it('answers a Relynt tool call with a decision and a receipt', async () => {
    const { sandbox, toolCall } = await inProcessRelynt()
    const response = await toolCall()
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ decision: 'allow', receipt_id: expect.any(String) })
    expect(sandbox.stats().receipts).toBe(1)
  })

  it('serves through fetch while it also listens', async () => {
    const { sandbox, toolCall } = await inProcessRelynt({ listen: true })
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await toolCall()
    expect(response.status).toBe(200)
    expect(sandbox.stats().receipts).toBe(1)
  })

  it('rejects like a network error when a dropConnection fault fires', async () => {
    const { sandbox, toolCall } = await inProcessRelynt()
    sandbox.injectFault({ route: 'POST /v1/agent-tool-call', dropConnection: true, after: true })
    const failure = await toolCall().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(TypeError)
    expect((failure as TypeError).message).toBe('fetch failed')
    // The work was done before the connection dropped, as over a real socket.
    expect(sandbox.stats().receipts).toBe(1)
  })

  it('errors the body after the allowed events when a cutStreamAfterEvents fault fires', async () => {
    const { sandbox, stream } = await inProcessRalio()
    sandbox.injectFault({ route: 'POST /api/chat/stream', cutStreamAfterEvents: 2 })
    const { text, cut } = await readUntilEndOrCut(await stream('Pay £3 to Heidi for CUT-IN-PROCESS'))
    expect(cut).toBe(true)
    expect(parseServerSentEvents(text).events.map((event) => event.event)).toEqual([
      'conversation',
      'tool_started',
    ])
  })

  it('rejects with the reason of a signal aborted before the call', async () => {
    const { toolCall, sandbox } = await inProcessRelynt()
    const reason = new Error('caller gave up')
    await expect(toolCall({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(sandbox.stats().gatewayCalls).toBe(0)
  })

  it('errors an open stream with the reason when its signal aborts', async () => {
    const { stream } = await inProcessRalio({ streamDelayMs: 20 })
    const controller = new AbortController()
    const response = await stream('What is my balance?', controller.signal)
    const reader = response.body!.getReader()
    await reader.read()
    const reason = new Error('stop streaming')
    controller.abort(reason)
    await expect(reader.read()).rejects.toBe(reason)
  })
})
