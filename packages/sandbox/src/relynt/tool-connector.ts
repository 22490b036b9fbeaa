/** What a connector receives: the call that was allowed, in wire form. */
export interface ConnectorCall {
  agent_id: string
  instance_id: string
  action: string
  resource: string
  payload: Record<string, unknown>
  idempotency_key: string
  /** Present when the call ran after a human approved it. */
  approval_id?: string
}

/**
 * Performs the write once a call is allowed. `'echo'` answers with the call itself;
 * `{ url }` POSTs the call as JSON and uses the JSON answer; a function is called directly.
 * Whatever it resolves to becomes `tool_response`.
 */
export type ConnectorOption =
  | 'echo'
  | { url: string; timeoutMs?: number }
  | ((call: ConnectorCall) => Promise<unknown>)

export type Connector = (call: ConnectorCall) => Promise<unknown>

/** Thrown when a connector fails; the message is safe to show to the agent. */
export class ConnectorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConnectorError'
  }
}

export function createConnector(option: ConnectorOption): Connector {
  if (option === 'echo') return async (call) => ({ echo: call })
  if (typeof option === 'function') {
    return async (call) => {
      try {
        return await option(call)
      } catch (error) {
        throw new ConnectorError(
          `Connector failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        )
      }
    }
  }
  const url = new URL(option.url)
  const timeoutMs = option.timeoutMs ?? 10_000
  return async (call) => {
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': call.idempotency_key },
        body: JSON.stringify(call),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      throw new ConnectorError(`Connector at ${url.origin} did not answer`, { cause: error })
    }
    const text = await response.text()
    if (!response.ok) throw new ConnectorError(`Connector at ${url.origin} answered HTTP ${response.status}`)
    if (text.trim() === '') return null
    try {
      return JSON.parse(text)
    } catch (error) {
      throw new ConnectorError(`Connector at ${url.origin} answered with a body that is not JSON`, {
        cause: error,
      })
    }
  }
}
