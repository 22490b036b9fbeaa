/** A call's result with the HTTP response it came in. */
export interface WithResponse<T> {
  data: T
  /** The raw response: status and headers. Its body was already read to build `data`. */
  response: Response
  /** The server's `x-request-id` (or `request-id`): quote it when reporting a problem. */
  requestId: string | undefined
}

/** The id a server gave its response, as the error classes report it too. */
export function requestIdOf(headers: Headers): string | undefined {
  return headers.get('x-request-id') ?? headers.get('request-id') ?? undefined
}

/**
 * What a single-request method returns: a Promise of the result, so `await` and every
 * Promise API work as before, with `withResponse()` for the raw response and request id.
 * The request is already under way; both read the same one.
 */
export class APIPromise<T> extends Promise<T> {
  readonly #withResponse: Promise<WithResponse<T>>

  /** @internal SDK methods build these; `result` is the transport's `requestWithResponse`. */
  constructor(result: Promise<{ data: T; response: Response }>) {
    // The base Promise is a placeholder: every way of reading this one goes through `then`.
    super((resolve) => resolve(undefined as T))
    this.#withResponse = result.then(({ data, response }) => ({
      data,
      response,
      requestId: requestIdOf(response.headers),
    }))
  }

  // Derived promises (`then` on a subclass) must be plain Promises: the constructor above
  // takes a response promise, not an executor.
  /** Promises derived with `then` are plain `Promise`s. */
  static override get [Symbol.species]() {
    return Promise
  }

  /** The result with the HTTP response it came in and the server's request id. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#withResponse
  }

  // `reason: any`, as Promise's own signatures have it, so callers' code types as before.
  // biome-ignore lint/suspicious/noThenProperty: an APIPromise is a Promise.
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: matches Promise.prototype.then.
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#withResponse.then(({ data }) => data).then(onFulfilled, onRejected)
  }

  // biome-ignore lint/suspicious/noExplicitAny: matches Promise.prototype.catch.
  override catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected)
  }

  override finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally)
  }
}
