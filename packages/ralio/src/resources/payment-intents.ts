import type { PagePromise } from '@x/core'
import type { Transport } from '@x/core/internal'
import { pageResponseSchema } from '../schemas/page-response.js'
import { type PaymentIntent, paymentIntentSchema } from '../schemas/payment-intent.js'
import { listPages } from './list-pages.js'
import type { ListParams } from './list-params.js'

const paymentIntentsPage = pageResponseSchema('payment_intents', paymentIntentSchema)

/** `client.paymentIntents`: the payments the agent set up, with their approval and execution. */
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
    return listPages(this.#transport, '/api/payment-intents', paymentIntentsPage, params)
  }
}
