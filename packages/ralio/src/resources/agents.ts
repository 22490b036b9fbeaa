import { APIPromise } from '@x/core'
import type { Transport } from '@x/core/internal'
import { type Agent, agentListSchema } from '../schemas/agent.js'

/** Options of `agents.list()`. */
export interface AgentListParams {
  signal?: AbortSignal
}

/** `client.agents`: the agent this binding is pinned to. */
export class Agents {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * The agents this binding may talk to: exactly the one it is pinned to.
   * `.withResponse()` adds the raw response and request id.
   */
  list(params: AgentListParams = {}): APIPromise<Agent[]> {
    return new APIPromise(
      this.#transport.requestWithResponse({
        method: 'GET',
        path: '/api/agents',
        schema: agentListSchema,
        signal: params.signal,
      }),
    )
  }
}
