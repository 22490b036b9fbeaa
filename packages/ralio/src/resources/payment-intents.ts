import { PagePromise } from '@x/core'
import type { Transport } from '@x/core/internal'
import { pageResponseSchema, toPageData } from '../schemas/page-response.js'
import { type PaymentIntent, paymentIntentSchema } from '../schemas/payment-intent.js'
import { checkListParams, type ListParams } from './list-params.js'

const paymentIntentsPage = pageResponseSchema('payment_intents', paymentIntentSchema)

export class PaymentIntents {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * Payments the agent proposed, with their approval and execution status and legs.
   * `await` for one page; `for await` for every intent across pages.
   */
  list(params: ListParams = {}): PagePromise<PaymentIntent> {
    const { page: firstPage, perPage } = checkListParams(params)
    return new PagePromise(
      (page) =>
        this.#transport
          .request({
            method: 'GET',
            path: '/api/payment-intents',
            query: { page, per_page: perPage, agent_id: params.agentId },
            schema: paymentIntentsPage,
            signal: params.signal,
          })
          .then((wire) => toPageData(wire, { page, perPage })),
      firstPage,
    )
  }
}
