import { PagePromise } from '@x/core'
import type { Transport } from '@x/core/internal'
import { pageResponseSchema, toPageData } from '../schemas/page-response.js'
import { type Transaction, transactionSchema } from '../schemas/transaction.js'
import { checkListParams, type ListParams } from './list-params.js'

const transactionsPage = pageResponseSchema('transactions', transactionSchema)

export class Transactions {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * Payments the agent made. `await` for one page; `for await` for every transaction
   * across pages. Amounts are decimal strings.
   */
  list(params: ListParams = {}): PagePromise<Transaction> {
    const { page: firstPage, perPage } = checkListParams(params)
    return new PagePromise(
      (page) =>
        this.#transport
          .request({
            method: 'GET',
            path: '/api/transactions',
            query: { page, per_page: perPage, agent_id: params.agentId },
            schema: transactionsPage,
            signal: params.signal,
          })
          .then((wire) => toPageData(wire, { page, perPage })),
      firstPage,
    )
  }
}
