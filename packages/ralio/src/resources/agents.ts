import { APIPromise, type RequestCallOptions } from '@x/core'
import { callOptions, type Transport } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import { cachePromise } from '../promise-cache.js'
import { type Agent, agentListSchema } from '../schemas/agent.js'

/** Options of `agents.list()`. */
export interface AgentListParams extends RequestCallOptions {}

/** `client.agents`: the agent this binding is pinned to. */
export class Agents {
  readonly #transport: Transport
  readonly #pinned: (signal?: AbortSignal) => Promise<Agent>

  constructor(transport: Transport) {
    this.#transport = transport
    this.#pinned = cachePromise(async (signal?: AbortSignal) => {
      const agents = await this.list({ signal })
      if (agents.length !== 1) {
        throw new RalioConfigError(
          agents.length === 0
            ? 'This binding sees no agent; check in the console that its agent still exists'
            : `This binding sees ${agents.length} agents; pass agentId to choose one`,
          { code: 'agent_ambiguous' },
        )
      }
      return agents[0]!
    })
  }

  /**
   * The one agent this binding is pinned to, looked up once and shared by every caller (chat
   * uses it when no `agentId` is given). A failed look-up is not kept: the next call asks
   * again. Throws `RalioConfigError` (`agent_ambiguous`) when the binding sees no agent, or
   * more than one.
   */
  pinned(params: AgentListParams = {}): Promise<Agent> {
    return this.#pinned(params.signal)
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
