import type { RequestCallOptions } from '@x/core'
import { callOptions, createIdempotencyKey, type Transport } from '@x/core/internal'
import { type ActionResult, actionResultSchema } from '../schemas/action-result.js'
import { type ActionInput, actionBody, invalid } from './validate-request.js'

export interface ActionRequest extends ActionInput, RequestCallOptions {
  /**
   * One key per logical call; generated when omitted. Every retry of this call sends the
   * same key, so the gateway runs the action (and its connector) at most once. Pass the
   * `idempotencyKey` of an earlier result to retry that call later.
   */
  idempotencyKey?: string
}

export class Actions {
  readonly #transport: Transport
  readonly #instanceId: string

  constructor(transport: Transport, instanceId: string) {
    this.#transport = transport
    this.#instanceId = instanceId
  }

  /** `POST /v1/agent-tool-call`: asks the gateway whether the action may run. */
  async request(request: ActionRequest): Promise<{ data: ActionResult; response: Response }> {
    const body = actionBody(request, this.#instanceId, 'requestAction')
    const idempotencyKey = request.idempotencyKey ?? createIdempotencyKey()
    if (typeof idempotencyKey !== 'string' || idempotencyKey.trim() === '') {
      throw invalid('requestAction: idempotencyKey must be a non-empty string when given.')
    }
    const { data, response } = await this.#transport.requestWithResponse({
      method: 'POST',
      path: '/v1/agent-tool-call',
      json: body,
      idempotencyKey,
      schema: actionResultSchema,
      ...callOptions(request),
    })
    return { data: { ...data, idempotencyKey, instanceId: body.instance_id }, response }
  }
}
