/**
 * An async iterator whose source is made by `start()` on the first `next()` (a stream that
 * must first send its request); after that every call goes straight to the source, so the
 * wrapper adds nothing per item. `onReturnBeforeStart` runs when the consumer leaves before
 * the source exists, e.g. to abort a request still in flight.
 */
export function lazyAsyncIterator<T>(
  start: () => Promise<AsyncIterator<T>>,
  onReturnBeforeStart?: () => void,
): AsyncIterableIterator<T> {
  let source: AsyncIterator<T> | undefined
  let starting: Promise<AsyncIterator<T>> | undefined
  const begin = () => {
    starting ??= start().then((started) => {
      source = started
      return started
    })
    return starting
  }
  const iterator: AsyncIterableIterator<T> = {
    next: () => (source ? source.next() : begin().then((started) => started.next())),
    async return(value?: unknown): Promise<IteratorResult<T>> {
      const done = { done: true, value } as IteratorReturnResult<T>
      if (source) return (await source.return?.(value)) ?? done
      onReturnBeforeStart?.()
      // A source still being made is closed as soon as it exists.
      void starting?.then(
        (started) => started.return?.(),
        () => {},
      )
      return done
    },
    [Symbol.asyncIterator]: () => iterator,
  }
  return iterator
}
