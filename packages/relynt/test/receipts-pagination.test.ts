import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { RelyntError } from '../src/errors.js'
import { RelyntClient } from '../src/relynt-client.js'
import { deal, type Gateway, recordingFetch, startGateway } from './support/gateway.js'

let gateway: Gateway

beforeAll(async () => {
  gateway = await startGateway()
})
afterAll(async () => {
  await gateway.close()
})

describe('receipts.list over HTTP (the sandbox paginates)', () => {
  async function fiveReceipts(search: string): Promise<string[]> {
    const client = gateway.client()
    const ids: string[] = []
    for (let index = 0; index < 5; index++) {
      const result = await client.requestAction({ ...deal.allowed, resource: `crm:deal:${search}-${index}` })
      ids.push(result.receiptId)
    }
    return ids.reverse()
  }

  it('yields every receipt of every page with for await, following the cursor', async () => {
    const newestFirst = await fiveReceipts('pages-all')
    const { fetch, requests } = recordingFetch()
    const seen: string[] = []
    for await (const summary of gateway.client({ fetch }).receipts.list({ search: 'pages-all', limit: 2 })) {
      seen.push(summary.receiptId)
    }
    expect(seen).toEqual(newestFirst)
    expect(requests).toHaveLength(3)
    expect(requests[0]!.url.searchParams.has('cursor')).toBe(false)
    expect(requests[1]!.url.searchParams.get('cursor')).toEqual(expect.any(String))
    expect(requests.every((request) => request.url.searchParams.get('search') === 'pages-all')).toBe(true)
  })

  it('resolves to the first page, which fetches the next on request', async () => {
    const newestFirst = await fiveReceipts('pages-one')
    const first = await gateway.client().receipts.list({ search: 'pages-one', limit: 3 })
    expect([...first].map((summary) => summary.receiptId)).toEqual(newestFirst.slice(0, 3))
    expect(first.hasNextPage()).toBe(true)
    const second = await first.getNextPage()
    expect(second.data.map((summary) => summary.receiptId)).toEqual(newestFirst.slice(3))
    expect(second.hasNextPage()).toBe(false)
  })

  it('says where the next page starts and makes up no total', async () => {
    await fiveReceipts('pages-cursor')
    const { fetch, requests } = recordingFetch()
    const first = await gateway.client({ fetch }).receipts.list({ search: 'pages-cursor', limit: 2 })
    expect(first.nextCursor).toEqual(expect.any(String))
    expect(first).not.toHaveProperty('total')
    await first.getNextPage()
    expect(requests[1]!.url.searchParams.get('cursor')).toBe(first.nextCursor)
  })

  it('rejects a bad page size before anything is sent', async () => {
    const { fetch, requests } = recordingFetch()
    await expect(gateway.client({ fetch }).receipts.list({ limit: 0 })).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    expect(requests).toHaveLength(0)
  })
})

/** A client whose gateway answers GET /v1/receipts from a script, one body per page. */
function scriptedList(pages: unknown[]) {
  const cursors: (string | null)[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(new Request(input, init).url)
    cursors.push(url.searchParams.get('cursor'))
    return Response.json(pages[Math.min(cursors.length - 1, pages.length - 1)])
  })
  const client = new RelyntClient({
    baseUrl: 'https://gateway.example.com',
    agentSecret: 'agt_1:secret',
    fetch,
    logger: 'off',
    maxRetries: 0,
  })
  return { client, cursors }
}

const ids = async (client: RelyntClient) => {
  const seen: string[] = []
  for await (const summary of client.receipts.list()) seen.push(summary.receiptId)
  return seen
}

describe('receipts.list against other envelopes', () => {
  it('reads a bare array as the whole list', async () => {
    const { client, cursors } = scriptedList([[{ receipt_id: 'r1' }, { receipt_id: 'r2' }]])
    expect(await ids(client)).toEqual(['r1', 'r2'])
    expect(cursors).toEqual([null])
  })

  it('follows a cursor under cursor with the items under data', async () => {
    const { client, cursors } = scriptedList([
      { data: [{ receipt_id: 'r1' }], cursor: 'c2', has_more: true },
      { data: [{ receipt_id: 'r2' }], cursor: null, has_more: false },
    ])
    expect(await ids(client)).toEqual(['r1', 'r2'])
    expect(cursors).toEqual([null, 'c2'])
  })

  it('follows next_cursor with the items under items when has_more is left out', async () => {
    const { client, cursors } = scriptedList([
      { items: [{ receipt_id: 'r1' }], next_cursor: 'c2' },
      { items: [{ receipt_id: 'r2' }], next_cursor: 'c3' },
      { items: [{ receipt_id: 'r3' }] },
    ])
    expect(await ids(client)).toEqual(['r1', 'r2', 'r3'])
    expect(cursors).toEqual([null, 'c2', 'c3'])
  })

  it('stops when has_more is false even if a cursor is present', async () => {
    const { client, cursors } = scriptedList([
      { receipts: [{ receipt_id: 'r1' }], next_cursor: 'c2', has_more: false },
    ])
    expect(await ids(client)).toEqual(['r1'])
    expect(cursors).toEqual([null])
  })

  it('moves past an empty page that points to another', async () => {
    const { client } = scriptedList([
      { receipts: [], next_cursor: 'c2', has_more: true },
      { receipts: [{ receipt_id: 'r1' }], has_more: false },
    ])
    expect(await ids(client)).toEqual(['r1'])
  })

  it('throws invalid_response when has_more comes without a cursor, instead of stopping short', async () => {
    const { client } = scriptedList([{ receipts: [{ receipt_id: 'r1' }], has_more: true }])
    const error = await ids(client).catch((caught: unknown) => caught)
    expect(RelyntError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_response' })
    expect((error as Error).message).toMatch(/has_more/)
  })

  it('throws invalid_response when a page hands back the cursor it was asked for', async () => {
    const { client, cursors } = scriptedList([
      { receipts: [{ receipt_id: 'r1' }], next_cursor: 'c2' },
      { receipts: [{ receipt_id: 'r2' }], next_cursor: 'c2' },
    ])
    await expect(ids(client)).rejects.toMatchObject({ code: 'invalid_response' })
    expect(cursors).toEqual([null, 'c2'])
  })

  it('throws invalid_response when a later page points back to an earlier one', async () => {
    const { client, cursors } = scriptedList([
      { receipts: [{ receipt_id: 'r1' }], next_cursor: 'c2' },
      { receipts: [{ receipt_id: 'r2' }], next_cursor: 'c3' },
      { receipts: [{ receipt_id: 'r3' }], next_cursor: 'c2' },
    ])
    await expect(ids(client)).rejects.toMatchObject({ code: 'invalid_response' })
    expect(cursors).toEqual([null, 'c2', 'c3'])
  })

  it('fetches the same next page twice without mistaking it for a loop', async () => {
    const { client } = scriptedList([
      { receipts: [{ receipt_id: 'r1' }], next_cursor: 'c2' },
      { receipts: [{ receipt_id: 'r2' }], next_cursor: 'c3' },
      { receipts: [{ receipt_id: 'r2' }], next_cursor: 'c3' },
    ])
    const first = await client.receipts.list()
    await first.getNextPage()
    await expect(first.getNextPage()).resolves.toMatchObject({ data: [{ receiptId: 'r2' }] })
  })

  it('gives up with invalid_response on an endless run of empty pages', async () => {
    let page = 0
    const fetch = vi.fn(async () =>
      Response.json({ receipts: [], next_cursor: `c${++page}`, has_more: true }),
    )
    const client = new RelyntClient({ baseUrl: 'https://gateway.example.com', agentSecret: 'agt_1:s', fetch })
    await expect(client.receipts.list()).rejects.toMatchObject({ code: 'invalid_response' })
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(21)
  })
})
