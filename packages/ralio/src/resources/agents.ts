import { APIPromise, type RequestCallOptions } from '@x/core'
import { callOptions, type Transport } from '@x/core/internal'
import { type Agent, agentListSchema } from '../schemas/agent.js'

/** Options of `agents.list()`. */
export interface AgentListParams extends RequestCallOptions {}

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
        ...callOptions(params),
      }),
    )
  }
}
