/**
 * Options every request method of both SDKs takes, as openai-node has them: they apply to
 * this call only and win over the client's.
 */
export interface RequestCallOptions {
  /** Aborts this call (and its retries and waits). */
  signal?: AbortSignal
  /** Per attempt, for this call. */
  timeoutMs?: number
  /** Retries after the first attempt, for this call. */
  maxRetries?: number
  /** Extra headers for this call, over the client's `defaultHeaders`. */
  headers?: Record<string, string>
}

/** The call options a resource method passes on to `transport.request()`, only those given. */
export function callOptions(options: RequestCallOptions | undefined): RequestCallOptions {
  const picked: RequestCallOptions = {}
  if (options?.signal !== undefined) picked.signal = options.signal
  if (options?.timeoutMs !== undefined) picked.timeoutMs = options.timeoutMs
  if (options?.maxRetries !== undefined) picked.maxRetries = options.maxRetries
  if (options?.headers !== undefined) picked.headers = options.headers
  return picked
}
