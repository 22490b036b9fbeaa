import { describe, expect, it } from 'vitest'
import { APIPromise, Page, pagePromise } from '../src/index.js'

function response(headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 201, headers })
}

describe('APIPromise', () => {
  it('resolves to the data when awaited', async () => {
    const promise = new APIPromise(Promise.resolve({ data: { id: 'a' }, response: response() }))
    await expect(promise).resolves.toEqual({ id: 'a' })
  })

  it('gives the data with the raw response and the request id from withResponse()', async () => {
    const raw = response({ 'x-request-id': 'req_123' })
    const result = await new APIPromise(Promise.resolve({ data: [1, 2], response: raw })).withResponse()
    expect(result).toEqual({ data: [1, 2], response: raw, requestId: 'req_123' })
    expect(result.response.status).toBe(201)
  })

  it('reads a request-id header when there is no x-request-id', async () => {
    const result = await new APIPromise(
      Promise.resolve({ data: null, response: response({ 'request-id': 'r-9' }) }),
    ).withResponse()
    expect(result.requestId).toBe('r-9')
  })

  it('is a Promise, so code typed for one keeps working', async () => {
    const promise: Promise<string> = new APIPromise(Promise.resolve({ data: 'x', response: response() }))
    expect(promise).toBeInstanceOf(Promise)
    await expect(promise.then((value) => value.toUpperCase())).resolves.toBe('X')
    await expect(Promise.all([promise])).resolves.toEqual(['x'])
  })

  it('rejects await, catch and withResponse() alike when the call fails', async () => {
    const failure = new Error('refused')
    const promise = new APIPromise<string>(Promise.reject(failure))
    await expect(promise).rejects.toBe(failure)
    await expect(promise.withResponse()).rejects.toBe(failure)
    await expect(promise.catch((error: unknown) => error)).resolves.toBe(failure)
  })
})

describe('PagePromise.withResponse', () => {
  it('gives the first page with the response it came in', async () => {
    const raw = response({ 'x-request-id': 'req_page' })
    const list = pagePromise(async (page) => ({
      data: ['a'],
      total: 1,
      page,
      perPage: 10,
      response: raw,
    }))
    const { data, requestId, response: received } = await list.withResponse()
    expect(data).toBeInstanceOf(Page)
    expect([...data]).toEqual(['a'])
    expect(received).toBe(raw)
    expect(requestId).toBe('req_page')
  })

  it('sends one request for withResponse() and await together', async () => {
    let calls = 0
    const list = pagePromise(async (page) => {
      calls++
      return { data: [page], total: 1, page, perPage: 1, response: response() }
    })
    await Promise.all([list, list.withResponse()])
    expect(calls).toBe(1)
  })

  it('says so when the list keeps no response', async () => {
    const list = pagePromise(async (page) => ({ data: [], total: 0, page, perPage: 1 }))
    await expect(list.withResponse()).rejects.toThrow(/does not keep the raw response/)
  })
})
