/**
 * `fetch` for a floor, sent once more if a kept-alive connection was reset under it (the
 * server closed it as the request went out; rare, but one in tens of thousands of calls on
 * a loaded machine). The SDKs retry such a reset themselves where it is safe (a GET, a POST
 * with an idempotency key); without this, one reset would end a whole benchmark run.
 */
export async function floorFetch(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (error) {
    if ((error as { cause?: { code?: unknown } }).cause?.code !== 'ECONNRESET') throw error
    return fetch(url, init)
  }
}
