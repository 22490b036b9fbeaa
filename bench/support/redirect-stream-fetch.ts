/**
 * A `fetch` for RalioClient that sends everything to the real sandbox except the chat
 * stream, which it takes from `streamUrl`: the SDK authenticates for real (token, DPoP
 * proof, agent lookup) and then reads a stream of a size the sandbox's agent never makes.
 */
export function redirectStreamFetch(streamUrl: string): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    if (new URL(request.url).pathname !== '/api/chat/stream') return fetch(request)
    return fetch(streamUrl, {
      method: 'POST',
      headers: request.headers,
      body: await request.text(),
      signal: request.signal,
    })
  }
}
