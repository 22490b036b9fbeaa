import { describe, expect, it, vi } from 'vitest'
import { APIError, Page, type PageData, PagePromise, pagePromise } from '../src/index.js'

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
    const page = await new PagePromise(fetchPage)
    expect(page).toBeInstanceOf(Page)
    expect(page).toMatchObject({ total: 7, page: 1, perPage: 3, length: 3 })
    expect(page.data).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
    expect([...page]).toEqual(page.data)
  })

  it('walks to the last page with hasNextPage and getNextPage', async () => {
    const { fetchPage } = catalogue()
    const first = await new PagePromise(fetchPage)
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
    const page = await new PagePromise(async () => ({ data: [], total: 10, page: 4, perPage: 3 }))
    expect(page.hasNextPage()).toBe(false)
  })

  it('an exactly full last page has no next page', async () => {
    const { fetchPage } = catalogue(6, 3)
    const second = await (await new PagePromise(fetchPage)).getNextPage()
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
