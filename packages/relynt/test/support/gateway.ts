import { type RelyntSandbox, type RelyntSandboxOptions, startRelyntSandbox } from '@x/sandbox'
import { RelyntClient, type RelyntClientOptions } from '../../src/relynt-client.js'

export interface Gateway {
  sandbox: RelyntSandbox
  agentId: string
  secret: string
  /** A client for the sandbox's agent; options override the defaults. */
  client(options?: RelyntClientOptions): RelyntClient
  close(): Promise<void>
}

/** A real Relynt sandbox on loopback with one agent, and a client factory for it. */
export async function startGateway(options: RelyntSandboxOptions = {}): Promise<Gateway> {
  const sandbox = await startRelyntSandbox(options)
  const { agentId, secret } = sandbox.createAgent({ name: 'test-agent' })
  return {
    sandbox,
    agentId,
    secret,
    client: (clientOptions = {}) =>
      new RelyntClient({
        baseUrl: sandbox.url,
        agentId,
        agentSecret: secret,
        logger: 'off',
        ...clientOptions,
      }),
    close: () => sandbox.close(),
  }
}

/** A fetch that records every request (as sent, with the time) and forwards it, optionally to a rewritten URL. */
export function recordingFetch(rewrite?: (url: URL) => URL) {
  const requests: { method: string; url: URL; headers: Headers; body: string; sentAt: number }[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
    requests.push({ method: request.method, url, headers: request.headers, body, sentAt: performance.now() })
    return globalThis.fetch(rewrite ? rewrite(new URL(url)) : url, {
      method: request.method,
      headers: request.headers,
      body: body === '' ? undefined : body,
      signal: request.signal,
    })
  }
  return { fetch, requests }
}

/** Payloads the sandbox's default policy decides in a known way (see its demo policy). */
export const deal = {
  allowed: {
    action: 'update_deal',
    resource: 'crm:deal:123',
    payload: { amount: 5_000, previous_amount: 4_000 },
  },
  deniedField: { action: 'update_deal', resource: 'crm:deal:123', payload: { owner_id: 'u_2' } },
  needsApproval: {
    action: 'update_deal',
    resource: 'crm:deal:123',
    payload: { stage: 'closed_won', amount: 500 },
  },
}
