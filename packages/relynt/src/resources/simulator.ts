import type { RequestCallOptions } from '@x/core'
import { callOptions, type Transport } from '@x/core/internal'
import { type Simulation, simulationSchema } from '../schemas/simulation.js'
import { type ActionInput, actionBody } from './validate-request.js'

export interface SimulateRequest extends ActionInput, RequestCallOptions {}

export class Simulator {
  readonly #transport: Transport
  readonly #instanceId: string

  constructor(transport: Transport, instanceId: string) {
    this.#transport = transport
    this.#instanceId = instanceId
  }

  /**
   * `POST /v1/policy-simulator`: what the current policy would decide. Runs no connector,
   * writes no receipt and creates no approval.
   */
  async simulate(request: SimulateRequest): Promise<{ data: Simulation; response: Response }> {
    const body = actionBody(request, this.#instanceId, 'simulate')
    const { data, response } = await this.#transport.requestWithResponse({
      method: 'POST',
      path: '/v1/policy-simulator',
      json: body,
      schema: simulationSchema,
      ...callOptions(request),
      // Nothing happens server-side, so a 5xx or a dropped connection is safe to retry.
      retry: 'idempotent',
    })
    return { data: { ...data, instanceId: body.instance_id }, response }
  }
}
