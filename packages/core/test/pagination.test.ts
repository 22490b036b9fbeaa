import { describe, expect, it, vi } from 'vitest'
import {
  AbstractPage,
  APIError,
  CursorPage,
  type CursorPageData,
  cursorPagePromise,
  Page,
  type PageData,
  pagePromise,
} from '../src/index.js'

/** 7 items served 3 per page, counting the fetches. */
function catalogue(total = 7, perPage = 3) {
  const items = Array.from({ length: total }, (_, index) => ({ id: index + 1 }))
  const fetchPage = vi.fn(
    async (page: number): Promise<PageData<{ id: number }>> => ({
      data: items.slice((page - 1) * perPage, page * perPage),
      total,
      page,
      perPage,
    }),
  )
  return { items, fetchPage }
}

describe('Page', () => {
  it('exposes data, total, page, perPage and length, and iterates its items', async () => {
    const { fetchPage } = catalogue()
    const page = await pagePromise(fetchPage)
    expect(page).toBeInstanceOf(Page)
    expect(page).toMatchObject({ total: 7, page: 1, perPage: 3, length: 3 })
    expect(page.data).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
    expect([...page]).toEqual(page.data)
  })

  it('walks to the last page with hasNextPage and getNextPage', async () => {
    const { fetchPage } = catalogue()
    const first = await pagePromise(fetchPage)
    expect(first.hasNextPage()).toBe(true)
    const second = await first.getNextPage()
    expect(second).toMatchObject({ page: 2, length: 3 })
    const third = await second.getNextPage()
    expect(third).toMatchObject({ page: 3, length: 1 })
    expect(third.data).toEqual([{ id: 7 }])
    expect(third.hasNextPage()).toBe(false)
    await expect(third.getNextPage()).rejects.toThrow(/last page; check hasNextPage\(\)/)
    expect(fetchPage.mock.calls.map(([page]) => page)).toEqual([1, 2, 3])
  })

  it('an empty page has no next page even if the total says otherwise', async () => {
    const page = await pagePromise(async () => ({ data: [], total: 10, page: 4, perPage: 3 }))
    expect(page.hasNextPage()).toBe(false)
  })

  it('an exactly full last page has no next page', async () => {
    const { fetchPage } = catalogue(6, 3)
    const second = await (await pagePromise(fetchPage)).getNextPage()
    expect(second.hasNextPage()).toBe(false)
  })
})

describe('PagePromise', () => {
  it('for await yields every item of every page, in order', async () => {
    const { items, fetchPage } = catalogue()
    const seen: { id: number }[] = []
    for await (const item of pagePromise(fetchPage)) seen.push(item)
    expect(seen).toEqual(items)
    expect(fetchPage).toHaveBeenCalledTimes(3)
  })

  it('fetches a page only when the loop reaches it', async () => {
    const { fetchPage } = catalogue()
    for await (const item of pagePromise(fetchPage)) {
      if (item.id === 2) break
    }
    expect(fetchPage).toHaveBeenCalledTimes(1)
  })

  it('sends nothing until awaited or iterated', async () => {
    const { fetchPage } = catalogue()
    const list = pagePromise(fetchPage)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(fetchPage).not.toHaveBeenCalled()
    await list
    expect(fetchPage).toHaveBeenCalledTimes(1)
  })

  it('awaiting twice fetches the first page once', async () => {
    const { fetchPage } = catalogue()
    const list = pagePromise(fetchPage)
    expect((await list).page).toBe(1)
    expect((await list).page).toBe(1)
    expect(fetchPage).toHaveBeenCalledTimes(1)
  })

  it('starts from the page it was given', async () => {
    const { fetchPage } = catalogue()
    const ids: number[] = []
    for await (const item of pagePromise(fetchPage, 2)) ids.push(item.id)
    expect(ids).toEqual([4, 5, 6, 7])
  })

  it('an error on page 2 surfaces from the loop after page 1 was delivered', async () => {
    const failure = new APIError({
      statusCode: 503,
      code: 'unavailable',
      message: 'down',
      body: undefined,
      requestId: undefined,
      headers: {},
    })
    const fetchPage = async (page: number): Promise<PageData<number>> => {
      if (page === 2) throw failure
      return { data: [1, 2], total: 4, page, perPage: 2 }
    }
    const seen: number[] = []
    const error = await (async () => {
      for await (const item of pagePromise(fetchPage)) seen.push(item)
    })().catch((e: unknown) => e)
    expect(seen).toEqual([1, 2])
    expect(error).toBe(failure)
  })

  it('a failing first page rejects the await and supports catch and finally', async () => {
    const failure = new Error('nope')
    const list = pagePromise<number>(async () => {
      throw failure
    })
    await expect(list).rejects.toBe(failure)
    expect(await list.catch((error: unknown) => error)).toBe(failure)
    let finished = false
    await list
      .finally(() => {
        finished = true
      })
      .catch(() => {})
    expect(finished).toBe(true)
  })

  it('describes itself as a PagePromise', () => {
    expect(Object.prototype.toString.call(pagePromise(catalogue().fetchPage))).toBe('[object PagePromise]')
  })
})

/** 7 items served 3 per page behind opaque cursors, recording what each fetch was given. */
function cursorCatalogue(total = 7, perPage = 3) {
  const items = Array.from({ length: total }, (_, index) => ({ id: index + 1 }))
  const cursorAt = (offset: number) => `after-${offset}`
  const fetchPage = vi.fn(async (cursor: string | undefined): Promise<CursorPageData<{ id: number }>> => {
    const offset = cursor === undefined ? 0 : Number(cursor.slice('after-'.length))
    const end = offset + perPage
    return { data: items.slice(offset, end), nextCursor: end < total ? cursorAt(end) : undefined }
  })
  return { items, fetchPage }
}

describe('CursorPage', () => {
  it('says how to ask for the next page, and reports no total', async () => {
    const { fetchPage } = cursorCatalogue()
    const first = await cursorPagePromise(fetchPage)
    expect(first).toBeInstanceOf(CursorPage)
    expect(first).toBeInstanceOf(AbstractPage)
    expect(first.nextCursor).toBe('after-3')
    expect(first.nextPageRequest()).toBe('after-3')
    expect(first).not.toHaveProperty('total')
    expect([...first]).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
  })

  it('walks to the last page, asking each time with the cursor the page before named', async () => {
    const { fetchPage } = cursorCatalogue()
    const first = await cursorPagePromise(fetchPage)
    const second = await first.getNextPage()
    const third = await second.getNextPage()
    expect(third.data).toEqual([{ id: 7 }])
    expect(third.hasNextPage()).toBe(false)
    expect(third.nextPageRequest()).toBeUndefined()
    await expect(third.getNextPage()).rejects.toThrow(/last page; check hasNextPage\(\)/)
    expect(fetchPage.mock.calls.map(([cursor]) => cursor)).toEqual([undefined, 'after-3', 'after-6'])
  })

  it('for await yields every item of every page, one fetch per page', async () => {
    const { items, fetchPage } = cursorCatalogue()
    const seen: { id: number }[] = []
    for await (const item of cursorPagePromise(fetchPage)) seen.push(item)
    expect(seen).toEqual(items)
    expect(fetchPage).toHaveBeenCalledTimes(3)
  })

  it('iterPages yields each page once, starting with the one it is called on', async () => {
    const { fetchPage } = cursorCatalogue(5, 2)
    const sizes: number[] = []
    for await (const page of (await cursorPagePromise(fetchPage)).iterPages()) sizes.push(page.length)
    expect(sizes).toEqual([2, 2, 1])
  })

  it('an empty page has no next page even if it names a cursor', async () => {
    const page = await cursorPagePromise(async () => ({ data: [], nextCursor: 'more' }))
    expect(page.hasNextPage()).toBe(false)
  })

  it('tells the fetcher which cursors this listing already followed, per chain of pages', async () => {
    const seenBy: Record<string, boolean[]> = {}
    const fetchPage = async (
      cursor: string | undefined,
      followed: (cursor: string) => boolean,
    ): Promise<CursorPageData<string>> => {
      seenBy[String(cursor)] = ['c2', 'c3'].map(followed)
      return {
        data: [String(cursor)],
        nextCursor: cursor === undefined ? 'c2' : cursor === 'c2' ? 'c3' : undefined,
      }
    }
    const first = await cursorPagePromise(fetchPage)
    expect(seenBy.undefined).toEqual([false, false])
    const second = await first.getNextPage()
    expect(seenBy.c2).toEqual([true, false])
    await second.getNextPage()
    expect(seenBy.c3).toEqual([true, true])
    // Fetching page 2 again from page 1 starts a fresh chain: c3 was not followed on the way to it.
    await first.getNextPage()
    expect(seenBy.c2).toEqual([true, false])
  })

  it('keeps the first response for withResponse', async () => {
    const raw = new Response(null, { headers: { 'x-request-id': 'req_cursor' } })
    const list = cursorPagePromise(async () => ({ data: [1], nextCursor: undefined, response: raw }))
    const { data, requestId } = await list.withResponse()
    expect(data).toBeInstanceOf(CursorPage)
    expect(requestId).toBe('req_cursor')
  })
})

describe('toArray', () => {
  it('collects every item of every page when no limit is given', async () => {
    const { items, fetchPage } = catalogue()
    expect(await pagePromise(fetchPage).toArray()).toEqual(items)
    expect(fetchPage).toHaveBeenCalledTimes(3)
  })

  it('stops at the limit and never fetches the pages past it', async () => {
    const { items, fetchPage } = catalogue()
    expect(await pagePromise(fetchPage).toArray({ limit: 4 })).toEqual(items.slice(0, 4))
    expect(fetchPage).toHaveBeenCalledTimes(2)
  })

  it('collects from a page onwards, limited to what it holds', async () => {
    const { items, fetchPage } = catalogue()
    const first = await pagePromise(fetchPage)
    expect(await first.toArray({ limit: 2 })).toEqual(items.slice(0, 2))
    expect(fetchPage).toHaveBeenCalledTimes(1)
  })

  it('refuses a limit that is not a whole number of 1 or more, before fetching anything past the first page', async () => {
    const { fetchPage } = catalogue()
    await expect(pagePromise(fetchPage).toArray({ limit: 0 })).rejects.toThrow(RangeError)
    await expect(pagePromise(fetchPage).toArray({ limit: 2.5 })).rejects.toThrow(/whole number/)
    expect(fetchPage).toHaveBeenCalledTimes(2)
  })
})
