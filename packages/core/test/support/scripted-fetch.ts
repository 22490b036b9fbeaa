export type Step = Response | Error | ((request: Request) => Response | Promise<Response>)

export interface ScriptedFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>
  /** Every request the transport sent, in order. */
  calls: Request[]
  /** The body text of each request, read as it was sent. */
  bodies: string[]
}

/**
 * A `fetch` that plays `steps` in order (the last step repeats), recording each request.
 * A step is a Response (cloned per use), an Error to throw, or a function of the request.
 */
export function scriptedFetch(...steps: Step[]): ScriptedFetch {
  const calls: Request[] = []
  const bodies: string[] = []
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init)
    calls.push(request)
    bodies.push(await request.clone().text())
    const step = steps[Math.min(calls.length - 1, steps.length - 1)]
    if (step === undefined) throw new Error('scriptedFetch needs at least one step')
    if (step instanceof Error) throw step
    if (step instanceof Response) return step.clone()
    return step(request)
  }) as ScriptedFetch
  fetch.calls = calls
  fetch.bodies = bodies
  return fetch
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** A fetch step that never answers but rejects when the request's signal aborts, as real fetch does. */
export function hang(request: Request): Promise<Response> {
  return new Promise((_resolve, reject) => {
    const signal = request.signal
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}

/** What undici throws when the connection is refused before anything was sent. */
export function refusedError(): Error {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
  return new TypeError('fetch failed', { cause })
}

/** What undici throws when the server reset the connection after the request went out. */
export function resetError(): Error {
  const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
  return new TypeError('fetch failed', { cause })
}
