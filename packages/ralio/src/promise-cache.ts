/**
 * Runs `load` once and hands every caller the same promise; a rejection is not kept,
 * so the next call tries again (a missing file may appear, a network may come back).
 */
export function cachePromise<Args extends unknown[], T>(
  load: (...args: Args) => Promise<T>,
): (...args: Args) => Promise<T> {
  let pending: Promise<T> | undefined
  return (...args) => {
    if (pending === undefined) {
      const attempt = (async () => load(...args))()
      pending = attempt
      attempt.catch(() => {
        if (pending === attempt) pending = undefined
      })
    }
    return pending
  }
}
