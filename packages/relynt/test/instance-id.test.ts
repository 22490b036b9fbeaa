import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RequestError } from '../src/errors.js'
import { deal, type Gateway, recordingFetch, startGateway } from './support/gateway.js'

let gateway: Gateway

beforeAll(async () => {
  gateway = await startGateway({ connector: 'echo' })
})
afterAll(async () => {
  await gateway.close()
})

const sentInstanceId = (body: string) => (JSON.parse(body) as { instance_id: string }).instance_id

describe('instance ids', () => {
  it("sends the client's instance id when a call names none, and returns it on the result", async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ instanceId: 'run-default', fetch })
    const result = await client.requestAction(deal.allowed)
    expect(sentInstanceId(requests[0]!.body)).toBe('run-default')
    expect(result.instanceId).toBe('run-default')
    expect((await client.receipts.get(result.receiptId)).instanceId).toBe('run-default')
  })

  it('sends the instance id a requestAction call names, and records it on the receipt', async () => {
    const client = gateway.client({ instanceId: 'run-default' })
    const result = await client.requestAction({ ...deal.allowed, instanceId: 'run-per-call' })
    expect(result.instanceId).toBe('run-per-call')
    expect((await client.receipts.get(result.receiptId)).instanceId).toBe('run-per-call')
  })

  it('sends the instance id a simulate call names, and returns it', async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ instanceId: 'run-default', fetch })
    const simulation = await client.simulate({ ...deal.allowed, instanceId: 'run-simulated' })
    expect(sentInstanceId(requests[0]!.body)).toBe('run-simulated')
    expect(simulation.instanceId).toBe('run-simulated')
  })

  it('sends the instance id a guard call names, and hands it to the guarded function', async () => {
    const client = gateway.client({ instanceId: 'run-default' })
    const { value, authorization } = await client.guard(
      { ...deal.allowed, instanceId: 'run-guarded' },
      (given) => given.instanceId,
    )
    expect(value).toBe('run-guarded')
    expect(authorization.instanceId).toBe('run-guarded')
    expect((await client.receipts.get(authorization.receiptId)).instanceId).toBe('run-guarded')
  })

  it('replays a call after a restart when the new client resends its key and instance id', async () => {
    const before = gateway.client()
    const first = await before.requestAction(deal.allowed)
    const replaysBefore = gateway.sandbox.stats().replays

    // A new process, hence a new client with a new default instance id.
    const after = gateway.client()
    expect(after.instanceId).not.toBe(first.instanceId)
    const again = await after.requestAction({
      ...deal.allowed,
      idempotencyKey: first.idempotencyKey,
      instanceId: first.instanceId,
    })
    expect(again).toEqual(first)
    expect(gateway.sandbox.stats().replays).toBe(replaysBefore + 1)
  })

  it('is a conflict when the key is resent under another instance id, which is why the recipe keeps it', async () => {
    const first = await gateway.client().requestAction(deal.allowed)
    const error = await gateway
      .client()
      .requestAction({ ...deal.allowed, idempotencyKey: first.idempotencyKey })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RequestError)
    expect(error).toMatchObject({ statusCode: 409, code: 'conflict' })
  })

  it('rejects an empty per-call instance id before anything is sent', async () => {
    const { fetch, requests } = recordingFetch()
    const client = gateway.client({ fetch })
    await expect(client.requestAction({ ...deal.allowed, instanceId: ' ' })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    await expect(client.simulate({ ...deal.allowed, instanceId: '' })).rejects.toThrow(/instanceId/)
    expect(requests).toHaveLength(0)
  })
})
