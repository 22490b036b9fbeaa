import { requestIdOf, type WithResponse } from '../transport/api-promise.js'

/**
 * One page of a list. Each kind of page says how to ask for the one after it
 * (`nextPageRequest()`: a page number, a cursor); everything else — iterating, `hasNextPage()`,
 * `getNextPage()`, walking every page — is the same for all of them.
 */
export abstract class AbstractPage<T, Request> implements Iterable<T> {
  readonly data: T[]

  protected constructor(data: T[]) {
    this.data = data
  }

  /** What to ask the server for to get the page after this one; undefined on the last page. */
  abstract nextPageRequest(): Request | undefined

  /** Fetches the page that `request` names, as a page of the same kind. */
  protected abstract fetchPage(request: Request): Promise<AbstractPage<T, Request>>

  /** How many items this page holds. */
  get length(): number {
    return this.data.length
  }

  /** Whether a page follows this one (never after an empty page). */
  hasNextPage(): boolean {
    return this.data.length > 0 && this.nextPageRequest() !== undefined
  }

  /** Fetches the page after this one; throws a `RangeError` when there is none (check `hasNextPage()`). */
  async getNextPage(): Promise<this> {
    const request = this.nextPageRequest()
    if (request === undefined || this.data.length === 0) {
      throw new RangeError(`${this.describe()} is the last page; check hasNextPage() before getNextPage().`)
    }
    return (await this.fetchPage(request)) as this
  }

  /** This page and every page after it, each fetched when the loop reaches it. */
  async *iterPages(): AsyncGenerator<this, void, undefined> {
    let page = this
    for (;;) {
      yield page
      if (!page.hasNextPage()) return
      page = await page.getNextPage()
    }
  }

  /** The items of this page and the pages after it, up to `limit`. */
  toArray(options: ToArrayOptions = {}): Promise<T[]> {
    return collect(this.iterPages(), options)
  }

  /** This page's items, in order. */
  [Symbol.iterator](): Iterator<T> {
    return this.data[Symbol.iterator]()
  }

  /** How the last-page error names this page. */
  protected describe(): string {
    return 'This page'
  }
}

/**
 * Collects items from `pages` until `limit` are held (every item when it is omitted); stops
 * fetching as soon as it has enough, so a limit also bounds the requests sent.
 */
async function collect<T>(
  pages: AsyncIterable<AbstractPage<T, unknown>>,
  options: ToArrayOptions,
): Promise<T[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  if (options.limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`toArray: limit must be a whole number, 1 or more (got ${String(options.limit)}).`)
  }
  const items: T[] = []
  for await (const page of pages) {
    for (const item of page.data) {
      if (items.length >= limit) return items
      items.push(item)
    }
    if (items.length >= limit) return items
  }
  return items
}

/** Options of `toArray()`. */
export interface ToArrayOptions {
  /** Most items to collect; pages past it are never fetched. Default: every item of every page. */
  limit?: number
}

/** One page of a numbered list as the server sent it, already mapped to SDK names. */
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

/** One page of a numbered list (`page`, `perPage`, `total`): the next one is asked for by number. */
export class Page<T> extends AbstractPage<T, number> {
  readonly total: number
  readonly page: number
  readonly perPage: number
  readonly #fetchPage: FetchPage<T>

  constructor(data: PageData<T>, fetchPage: FetchPage<T>) {
    super(data.data)
    this.total = data.total
    this.page = data.page
    this.perPage = data.perPage
    this.#fetchPage = fetchPage
  }

  protected async fetchPage(page: number): Promise<Page<T>> {
    return new Page(await this.#fetchPage(page), this.#fetchPage)
  }

  /** The next page's number while `total` says more items follow. */
  nextPageRequest(): number | undefined {
    return this.page * this.perPage < this.total ? this.page + 1 : undefined
  }

  protected override describe(): string {
    return `Page ${this.page}`
  }
}

/** One page of a cursor-paginated list as the server sent it, already mapped to SDK names. */
export interface CursorPageData<T> {
  data: T[]
  /** Where the page after this one starts; undefined on the last page. */
  nextCursor: string | undefined
  /** The HTTP response the page came in, for `PagePromise.withResponse()`. */
  response?: Response | undefined
}

/**
 * Fetches the page that starts at `cursor` (undefined: the first page). `followed(c)` says
 * whether `c` already led to this page or one before it in the same listing, so the fetcher can
 * refuse a next cursor that would make the listing loop.
 */
export type FetchCursorPage<T> = (
  cursor: string | undefined,
  followed: (cursor: string) => boolean,
) => Promise<CursorPageData<T>>

/** The cursors that led to a page, newest first; shared by the pages of one listing. */
export interface CursorTrail {
  readonly cursor: string
  readonly before: CursorTrail | undefined
}

/**
 * One page of a cursor-paginated list: the server names where the next page starts
 * (`nextCursor`) and reports no total, so none is made up.
 */
export class CursorPage<T> extends AbstractPage<T, string> {
  readonly nextCursor: string | undefined
  readonly #fetchPage: FetchCursorPage<T>
  readonly #trail: CursorTrail | undefined

  /** `trail`: the cursors followed to reach this page (none for the first). */
  constructor(data: CursorPageData<T>, fetchPage: FetchCursorPage<T>, trail?: CursorTrail) {
    super(data.data)
    this.nextCursor = data.nextCursor
    this.#fetchPage = fetchPage
    this.#trail = trail
  }

  protected async fetchPage(cursor: string): Promise<CursorPage<T>> {
    const trail: CursorTrail = { cursor, before: this.#trail }
    const data = await this.#fetchPage(cursor, (candidate) => followedIn(trail, candidate))
    return new CursorPage(data, this.#fetchPage, trail)
  }

  /** The cursor the next page starts at. */
  nextPageRequest(): string | undefined {
    return this.nextCursor
  }
}

function followedIn(trail: CursorTrail | undefined, cursor: string): boolean {
  for (let link = trail; link !== undefined; link = link.before) {
    if (link.cursor === cursor) return true
  }
  return false
}

/** A first page and the HTTP response it came in. */
export interface FirstPage<P> {
  page: P
  response: Response | undefined
}

/**
 * What a list method returns: `await` it for the first page, or `for await` it for every
 * item of every page, fetched one page at a time as the loop reaches it.
 */
export class PagePromise<T, P extends AbstractPage<T, unknown> = Page<T>>
  implements PromiseLike<P>, AsyncIterable<T>
{
  readonly #loadFirstPage: () => Promise<FirstPage<P>>
  #firstPage: Promise<FirstPage<P>> | undefined

  /** Use `pagePromise` or `cursorPagePromise`; `loadFirstPage` fetches the first page when first needed. */
  constructor(loadFirstPage: () => Promise<FirstPage<P>>) {
    this.#loadFirstPage = loadFirstPage
  }

  /** `[object PagePromise]`, so it is not mistaken for a plain promise in logs. */
  get [Symbol.toStringTag](): string {
    return 'PagePromise'
  }

  // The request starts when the promise is first awaited or iterated, not on creation, so
  // a list call that is never consumed sends nothing and cannot reject unhandled.
  #loadFirst(): Promise<FirstPage<P>> {
    this.#firstPage ??= this.#loadFirstPage()
    return this.#firstPage
  }

  #first(): Promise<P> {
    return this.#loadFirst().then(({ page }) => page)
  }

  /**
   * The first page with the HTTP response it came in and the server's request id (the
   * same request `await` reads). A list whose pages are assembled from several responses
   * gives the last one.
   */
  async withResponse(): Promise<WithResponse<P>> {
    const { page, response } = await this.#loadFirst()
    if (response === undefined) {
      throw new TypeError('This list does not keep the raw response of its pages.')
    }
    return { data: page, response, requestId: requestIdOf(response.headers) }
  }

  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is awaitable by design.
  then<R1 = P, R2 = never>(
    onFulfilled?: ((page: P) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#first().then(onFulfilled, onRejected)
  }

  /** Like `Promise.catch`: handles a failure to fetch the first page. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<P | R> {
    return this.#first().catch(onRejected)
  }

  /** Like `Promise.finally`, on the fetch of the first page. */
  finally(onFinally?: (() => void) | null): Promise<P> {
    return this.#first().finally(onFinally)
  }

  /** Every item of every page, fetching the next page only when the loop reaches it. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of (await this.#first()).iterPages()) yield* page.data
  }

  /**
   * Every item of every page in one array, or the first `limit` of them (`{ limit: 500 }`);
   * pages past the limit are never fetched.
   */
  async toArray(options: ToArrayOptions = {}): Promise<T[]> {
    return (await this.#first()).toArray(options)
  }
}

/** A numbered list starting at page `firstPage`, for list methods that read better as a call. */
export function pagePromise<T>(fetchPage: FetchPage<T>, firstPage = 1): PagePromise<T> {
  return new PagePromise(() =>
    fetchPage(firstPage).then((data) => ({ page: new Page(data, fetchPage), response: data.response })),
  )
}

/** A cursor-paginated list, starting at the server's first page. */
export function cursorPagePromise<T>(fetchPage: FetchCursorPage<T>): PagePromise<T, CursorPage<T>> {
  return new PagePromise(() =>
    fetchPage(undefined, () => false).then((data) => ({
      page: new CursorPage(data, fetchPage),
      response: data.response,
    })),
  )
}
