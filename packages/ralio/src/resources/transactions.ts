import type { PagePromise } from '@x/core'
import type { Transport } from '@x/core/internal'
import { pageResponseSchema } from '../schemas/page-response.js'
import { type Transaction, transactionSchema } from '../schemas/transaction.js'
import { listPages } from './list-pages.js'
import type { ListParams } from './list-params.js'

const transactionsPage = pageResponseSchema('transactions', transactionSchema)

/** `client.transactions`: the payments made from the agent's account. */
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
    return listPages(this.#transport, '/api/transactions', transactionsPage, params)
  }
}
