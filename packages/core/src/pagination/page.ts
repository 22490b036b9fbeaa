import { requestIdOf, type WithResponse } from '../transport/api-promise.js'

/** One page of a list as the server sent it, already mapped to SDK names. */
export interface PageData<T> {
  data: T[]
  /** Items across all pages, as the server counts them. */
  total: number
  /** 1-based. */
  page: number
  perPage: number
  /** The HTTP response the page came in, for `PagePromise.withResponse()`. */
  response?: Response | undefined
}

/** Fetches page `page` (1-based) of a list. */
export type FetchPage<T> = (page: number) => Promise<PageData<T>>

/** One page of a list. Iterating it yields this page's items; `getNextPage()` fetches on. */
export class Page<T> implements Iterable<T> {
  readonly data: T[]
  readonly total: number
  readonly page: number
  readonly perPage: number
  readonly #fetchPage: FetchPage<T>

  constructor(data: PageData<T>, fetchPage: FetchPage<T>) {
    this.data = data.data
    this.total = data.total
    this.page = data.page
    this.perPage = data.perPage
    this.#fetchPage = fetchPage
  }

  /** How many items this page holds. */
  get length(): number {
    return this.data.length
  }

  /** Whether a page follows this one (by `total`, and never after an empty page). */
  hasNextPage(): boolean {
    return this.data.length > 0 && this.page * this.perPage < this.total
  }

  /** Fetches the page after this one; throws a `RangeError` when there is none (check `hasNextPage()`). */
  async getNextPage(): Promise<Page<T>> {
    if (!this.hasNextPage()) {
      throw new RangeError(`Page ${this.page} is the last page; check hasNextPage() before getNextPage().`)
    }
    return new Page(await this.#fetchPage(this.page + 1), this.#fetchPage)
  }

  /** This page's items, in order. */
  [Symbol.iterator](): Iterator<T> {
    return this.data[Symbol.iterator]()
  }
}

/**
 * What a list method returns: `await` it for the first page, or `for await` it for every
 * item of every page, fetched one page at a time as the loop reaches it.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetchPage: FetchPage<T>
  readonly #firstPageNumber: number
  #firstPage: Promise<{ page: Page<T>; response: Response | undefined }> | undefined

  constructor(fetchPage: FetchPage<T>, firstPage = 1) {
    this.#fetchPage = fetchPage
    this.#firstPageNumber = firstPage
  }

  /** `[object PagePromise]`, so it is not mistaken for a plain promise in logs. */
  get [Symbol.toStringTag](): string {
    return 'PagePromise'
  }

  // The request starts when the promise is first awaited or iterated, not on creation, so
  // a list call that is never consumed sends nothing and cannot reject unhandled.
  #loadFirst(): Promise<{ page: Page<T>; response: Response | undefined }> {
    this.#firstPage ??= this.#fetchPage(this.#firstPageNumber).then((data) => ({
      page: new Page(data, this.#fetchPage),
      response: data.response,
    }))
    return this.#firstPage
  }

  #first(): Promise<Page<T>> {
    return this.#loadFirst().then(({ page }) => page)
  }

  /**
   * The first page with the HTTP response it came in and the server's request id (the
   * same request `await` reads). A list whose pages are assembled from several responses
   * gives the last one.
   */
  async withResponse(): Promise<WithResponse<Page<T>>> {
    const { page, response } = await this.#loadFirst()
    if (response === undefined) {
      throw new TypeError('This list does not keep the raw response of its pages.')
    }
    return { data: page, response, requestId: requestIdOf(response.headers) }
  }

  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is awaitable by design.
  then<R1 = Page<T>, R2 = never>(
    onFulfilled?: ((page: Page<T>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#first().then(onFulfilled, onRejected)
  }

  /** Like `Promise.catch`: handles a failure to fetch the first page. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<T> | R> {
    return this.#first().catch(onRejected)
  }

  /** Like `Promise.finally`, on the fetch of the first page. */
  finally(onFinally?: (() => void) | null): Promise<Page<T>> {
    return this.#first().finally(onFinally)
  }

  /** Every item of every page, fetching the next page only when the loop reaches it. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let page = await this.#first()
    for (;;) {
      yield* page.data
      if (!page.hasNextPage()) return
      page = await page.getNextPage()
    }
  }
}

/** `new PagePromise(fetchPage, firstPage)`, for list methods that read better as a call. */
export function pagePromise<T>(fetchPage: FetchPage<T>, firstPage = 1): PagePromise<T> {
  return new PagePromise(fetchPage, firstPage)
}
