/**
 * Makes `controller` abort when any of `sources` does, with that source's reason, and
 * returns a function that undoes it. Unlike `AbortSignal.any`, nothing is left behind on a
 * long-lived source (a signal reused for many requests) once the link is undone: `AbortSignal.any`
 * registers every derived signal with its sources until garbage collection, which made each
 * request cost more and closing the client walk every request it had ever made.
 */
export function followSignals(
  controller: AbortController,
  sources: readonly (AbortSignal | undefined)[],
): () => void {
  const linked: AbortSignal[] = []
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason)
  for (const source of sources) {
    if (source === undefined) continue
    if (source.aborted) {
      controller.abort(source.reason)
      break
    }
    source.addEventListener('abort', onAbort)
    linked.push(source)
  }
  return () => {
    for (const source of linked) source.removeEventListener('abort', onAbort)
  }
}
