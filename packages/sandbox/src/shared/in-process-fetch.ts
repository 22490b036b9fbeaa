import type { FetchApplication } from './serve.js'

/**
 * How the fault injector breaks an in-process "connection": the counterpart of destroying
 * the socket when the sandbox runs behind a real HTTP server.
 */
export interface InProcessConnection {
  /** The request fails as a network error (`TypeError: fetch failed`), like a reset socket. */
  drop(): void
  /** The response body stops with an error, like a connection closed mid-stream. */
  cut(): void
}

/** The key under which the in-process connection travels in the handler's env. */
export const inProcessConnectionKey = 'sandboxInProcessConnection'

/**
 * A `fetch` that hands each request straight to the sandbox's request handler, in this
 * process: no socket, no port. It behaves like the platform's fetch where a client can
 * tell: an aborted signal rejects with its reason (before the response) or errors the
 * body (after), and injected connection faults surface as network errors.
 */
export function inProcessFetch(app: FetchApplication): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const { signal } = request
    signal.throwIfAborted()

    let dropped = false
    let cutBody: (() => void) | undefined
    let cutRequested = false
    const connection: InProcessConnection = {
      drop: () => {
        dropped = true
      },
      cut: () => {
        cutRequested = true
        cutBody?.()
      },
    }
    const env = { [inProcessConnectionKey]: connection } as unknown as Parameters<
      FetchApplication['fetch']
    >[1]
    const response = await untilAborted(Promise.resolve(app.fetch(request, env)), signal, (late) =>
      late.body?.cancel().catch(() => {}),
    )
    if (dropped) {
      await response.body?.cancel().catch(() => {})
      throw new TypeError('fetch failed', {
        cause: new Error('The sandbox dropped the connection (an injected dropConnection fault)'),
      })
    }
    if (response.body === null) return response

    const source = response.body.getReader()
    let ended = false
    let onAbort: (() => void) | undefined
    const finish = () => {
      ended = true
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
    }
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const fail = (reason: unknown) => {
          if (ended) return
          finish()
          controller.error(reason)
          source.cancel(reason).catch(() => {})
        }
        cutBody = () => fail(new TypeError('terminated', { cause: new Error('The sandbox cut the stream') }))
        onAbort = () => fail(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        if (cutRequested) cutBody()
      },
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>
        try {
          chunk = await source.read()
        } catch (error) {
          if (!ended) {
            finish()
            controller.error(error)
          }
          return
        }
        // A cut or an abort may have ended the stream while the read was pending.
        if (ended) return
        if (chunk.done) {
          finish()
          controller.close()
        } else {
          controller.enqueue(chunk.value)
        }
      },
      cancel(reason) {
        finish()
        return source.cancel(reason)
      },
    })
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}

/** Settles like `promise`, or rejects with the signal's reason first; `discard` gets a value that came too late. */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  discard: (late: T) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        if (signal.aborted) discard(value)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
