import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AuthenticationError, NetworkError, RequestError } from '../src/errors.js'
import { RelyntClient } from '../src/relynt-client.js'
import { deal, type Gateway, recordingFetch, startGateway } from './support/gateway.js'

let gateway: Gateway

beforeAll(async () => {
  gateway = await startGateway({ connector: 'echo' })
})
afterAll(async () => {
  await gateway.close()
})
beforeEach(() => {
  gateway.sandbox.clearFaults()
})

describe('requestAction over HTTP', () => {
  it('returns allow with the connector response, risk, policy version and receipt', async () => {
    const client = gateway.client()
    const result = await client.requestAction(deal.allowed)
    expect(result).toMatchObject({
      decision: 'allow',
      riskLevel: 'low',
      policyVersion: 'v1',
      reason: 'Action matches allow rule for update_deal',
    })
    expect(result.receiptId).toMatch(/^rec_/)
    expect(result.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.toolResponse).toMatchObject({
      echo: {
        agent_id: gateway.agentId,
        instance_id: client.instanceId,
        action: 'update_deal',
        resource: 'crm:deal:123',
        payload: deal.allowed.payload,
        idempotency_key: result.idempotencyKey,
      },
    })
    expect(result.approvalId).toBeUndefined()
  })

  it('returns deny with its reason, without running the connector', async () => {
    const before = gateway.sandbox.stats()
    const result = await gateway.client().requestAction(deal.deniedField)
    expect(result).toMatchObject({ decision: 'deny', reason: 'Field owner_id is not allowed to be modified' })
    expect(result.toolResponse).toBeUndefined()
    expect(gateway.sandbox.stats().connectorCalls).toBe(before.connectorCalls)
  })

  it('returns pending_approval with an approval id', async () => {
    const result = await gateway.client().requestAction(deal.needsApproval)
    expect(result).toMatchObject({ decision: 'pending_approval', riskLevel: 'high' })
    expect(result.approvalId).toMatch(/^apr_/)
    expect(result.reason).toContain('Stage closed_won requires approval')
  })

  it('retries a 503 that came after the work was done and gets the original answer: one receipt, one connector call', async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ fetch })
    gateway.sandbox.injectFault({ route: 'POST /v1/agent-tool-call', status: 503, after: true })
    const before = gateway.sandbox.stats()

    const result = await client.requestAction(deal.allowed)

    const after = gateway.sandbox.stats()
    expect(result.decision).toBe('allow')
    expect(after.receipts - before.receipts).toBe(1)
    expect(after.connectorCalls - before.connectorCalls).toBe(1)
    expect(after.replays - before.replays).toBe(1)
    expect(requests).toHaveLength(2)
    expect(requests[0]!.headers.get('idempotency-key')).toBe(result.idempotencyKey)
    expect(requests[1]!.headers.get('idempotency-key')).toBe(result.idempotencyKey)
    expect(requests[1]!.body).toBe(requests[0]!.body)
  })

  it('retries a dropped connection with the same key without executing twice', async () => {
    const client = gateway.client()
    gateway.sandbox.injectFault({ route: 'POST /v1/agent-tool-call', dropConnection: true, after: true })
    const before = gateway.sandbox.stats()
    const result = await client.requestAction(deal.allowed)
    const after = gateway.sandbox.stats()
    expect(result.decision).toBe('allow')
    expect(after.receipts - before.receipts).toBe(1)
    expect(after.connectorCalls - before.connectorCalls).toBe(1)
  })

  it('replays the original result when the same logical call is retried later with its key', async () => {
    const client = gateway.client()
    const first = await client.requestAction(deal.allowed)
    const before = gateway.sandbox.stats()
    const again = await client.requestAction({ ...deal.allowed, idempotencyKey: first.idempotencyKey })
    const after = gateway.sandbox.stats()
    expect(again).toEqual(first)
    expect(after.receipts).toBe(before.receipts)
    expect(after.connectorCalls).toBe(before.connectorCalls)
  })

  it('rejects a key reused with different parameters as a conflict RequestError, without retrying', async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ fetch })
    const first = await client.requestAction(deal.allowed)
    const error = await client
      .requestAction({ ...deal.allowed, payload: { amount: 6_000 }, idempotencyKey: first.idempotencyKey })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RequestError)
    expect(error).toMatchObject({ statusCode: 409, code: 'conflict' })
    expect((error as Error).message).toMatch(/idempotency key was already used with different parameters/i)
    expect(requests).toHaveLength(2)
  })

  it('waits for Retry-After before retrying a 429, with the same key', async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ fetch })
    gateway.sandbox.injectFault({
      route: 'POST /v1/agent-tool-call',
      status: 429,
      headers: { 'Retry-After': '1' },
    })
    const result = await client.requestAction(deal.allowed)
    expect(result.decision).toBe('allow')
    expect(requests).toHaveLength(2)
    expect(requests[1]!.headers.get('idempotency-key')).toBe(requests[0]!.headers.get('idempotency-key'))
    // A lower bound only: the retry may come later on a busy machine, never sooner.
    expect(requests[1]!.sentAt - requests[0]!.sentAt).toBeGreaterThanOrEqual(950)
  })

  it('gives up on a persistent 429 with a rate_limited RequestError carrying retryAfterMs', async () => {
    const client = gateway.client({ maxRetries: 0 })
    gateway.sandbox.injectFault({
      route: 'POST /v1/agent-tool-call',
      status: 429,
      headers: { 'Retry-After': '7' },
    })
    await expect(client.requestAction(deal.allowed)).rejects.toMatchObject({
      name: 'RequestError',
      statusCode: 429,
      code: 'rate_limited',
      retryAfterMs: 7_000,
    })
  })

  it('maps a 422 policy error to RequestError with code policy_error', async () => {
    await expect(
      gateway.client().requestAction({ ...deal.allowed, payload: { amount: 'a lot' } }),
    ).rejects.toMatchObject({ name: 'RequestError', statusCode: 422, code: 'policy_error' })
  })

  it('works as the documented quick start: new RelyntClient({ baseUrl, agentSecret }) and nothing else', async () => {
    const issued = gateway.sandbox.createAgent({ name: 'quick-start' })
    // The one string the dashboard shows, the whole value after `Bearer `.
    expect(issued.secret).toMatch(new RegExp(`^${issued.agentId}:\\S+$`))
    const client = new RelyntClient({ baseUrl: gateway.sandbox.url, agentSecret: issued.secret })
    expect(client.agentId).toBe(issued.agentId)
    await expect(client.requestAction(deal.allowed)).resolves.toMatchObject({ decision: 'allow' })
    const { secret: rotated } = gateway.sandbox.rotateSecret(issued.agentId)
    const after = new RelyntClient({ baseUrl: gateway.sandbox.url, agentSecret: rotated })
    await expect(after.requestAction(deal.allowed)).resolves.toMatchObject({ decision: 'allow' })
  })

  it('rejects a rotated secret with AuthenticationError, without retrying and without printing the secret', async () => {
    const sandboxAgent = gateway.sandbox.createAgent({ name: 'rotating' })
    const { fetch, requests } = recordingFetch()
    const logged: unknown[] = []
    const log = (message: string, fields?: Record<string, unknown>) => logged.push(message, fields)
    const client = gateway.client({
      agentId: sandboxAgent.agentId,
      agentSecret: sandboxAgent.secret,
      fetch,
      logger: { error: log, warn: log, info: log, debug: log },
    })
    await expect(client.requestAction(deal.allowed)).resolves.toMatchObject({ decision: 'allow' })
    gateway.sandbox.rotateSecret(sandboxAgent.agentId)

    const error = await client.requestAction(deal.allowed).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error).toMatchObject({ statusCode: 401, code: 'unauthorized' })
    expect(requests).toHaveLength(2)
    for (const printed of [
      (error as Error).message,
      (error as Error).stack,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      inspect(client, { depth: 10 }),
      JSON.stringify(client),
      JSON.stringify(logged),
    ]) {
      expect(printed).not.toContain(sandboxAgent.secret)
    }
    expect(logged.length).toBeGreaterThan(0)
  })

  it('maps 403 (agent of another organisation) to AuthenticationError', async () => {
    const outsider = gateway.sandbox.createAgent({ organizationId: 'org_other' })
    const client = gateway.client({ agentId: outsider.agentId, agentSecret: outsider.secret })
    await expect(client.requestAction(deal.allowed)).rejects.toMatchObject({
      name: 'AuthenticationError',
      statusCode: 403,
      code: 'forbidden',
    })
  })

  it('maps an unreachable gateway to NetworkError, whose cause chain does not hold the secret', async () => {
    const client = gateway.client({ baseUrl: 'http://127.0.0.1:9', maxRetries: 1 })
    const error = await client.requestAction(deal.allowed).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(NetworkError)
    expect(inspect(error, { depth: 20, showHidden: true })).not.toContain(gateway.secret)
    expect(JSON.stringify(error)).not.toContain(gateway.secret)
  })

  it('keeps the secret out of a connection dropped mid-request', async () => {
    gateway.sandbox.injectFault({ route: 'POST /v1/agent-tool-call', dropConnection: true, count: 10 })
    const error = await gateway
      .client({ maxRetries: 0 })
      .requestAction(deal.allowed)
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(NetworkError)
    expect(inspect(error, { depth: 20, showHidden: true })).not.toContain(gateway.secret)
  })
})
