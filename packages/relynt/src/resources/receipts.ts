import type { Transport } from '@x/core/internal'
import { computeRequestHash } from '../request-hash.js'
import {
  type Receipt,
  type ReceiptSummary,
  receiptListSchema,
  receiptSchema,
  receiptVerificationSchema,
} from '../schemas/receipt.js'
import type { ReceiptDecision, RiskLevel } from '../schemas/wire-values.js'
import type { RequestSignalOptions } from './approvals.js'
import { type ActionInput, actionBody, invalid } from './validate-request.js'

/** Filters of `receipts.list()`. */
export interface ReceiptListFilters {
  decision?: ReceiptDecision
  riskLevel?: RiskLevel
  agentId?: string
  /** Receipts created at or after this instant (a Date or an ISO 8601 string). */
  from?: Date | string
  /** Receipts created at or before this instant. */
  to?: Date | string
  /** Free-text search over action and resource. */
  search?: string
  signal?: AbortSignal
}

/** What was sent, to recompute a receipt's `request_hash`. */
export interface SentRequest extends ActionInput {
  /** The `instance_id` the request carried; defaults to this client's `instanceId`. */
  instanceId?: string
}

/** `client.receipts`: the gateway's signed record of every decision, and checks that a receipt is genuine. */
export class Receipts {
  readonly #transport: Transport
  readonly #instanceId: string

  constructor(transport: Transport, instanceId: string) {
    this.#transport = transport
    this.#instanceId = instanceId
  }

  /** The full receipt, camelCased. */
  async get(receiptId: string, options: RequestSignalOptions = {}): Promise<Receipt> {
    return this.#transport.request({
      method: 'GET',
      path: `/v1/receipts/${encodeURIComponent(checkReceiptId(receiptId, 'receipts.get'))}`,
      schema: receiptSchema,
      signal: options.signal,
    })
  }

  /**
   * The gateway's own check of the receipt's HMAC signature: false means the stored
   * receipt no longer matches what was signed (it was altered).
   */
  async verify(receiptId: string, options: RequestSignalOptions = {}): Promise<boolean> {
    return this.#transport.request({
      method: 'GET',
      path: `/v1/receipts/${encodeURIComponent(checkReceiptId(receiptId, 'receipts.verify'))}/verify`,
      schema: receiptVerificationSchema,
      signal: options.signal,
    })
  }

  /**
   * Receipts matching the filters, in the order the gateway returns them. The gateway
   * returns them in one response (it does not paginate), so this resolves to an array.
   */
  async list(filters: ReceiptListFilters = {}): Promise<ReceiptSummary[]> {
    return this.#transport.request({
      method: 'GET',
      path: '/v1/receipts',
      query: {
        decision: filters.decision,
        risk_level: filters.riskLevel,
        agent_id: filters.agentId,
        from: instant(filters.from, 'from'),
        to: instant(filters.to, 'to'),
        search: filters.search,
      },
      schema: receiptListSchema,
      signal: filters.signal,
    })
  }

  /**
   * Proves the gateway judged exactly what you sent: recomputes the SHA-256 of the RFC 8785
   * canonical JSON of the request body and compares it with the receipt's `requestHash`.
   * Accepts a receipt you already fetched, or its id (fetched here). Runs locally; the
   * signature itself can only be checked by the gateway (`verify`).
   */
  async verifyRequestHash(
    receipt: Receipt | string,
    sent: SentRequest,
    options: RequestSignalOptions = {},
  ): Promise<boolean> {
    const full = typeof receipt === 'string' ? await this.get(receipt, options) : receipt
    if (typeof full?.requestHash !== 'string') {
      throw invalid('receipts.verifyRequestHash needs a receipt (from receipts.get) or a receipt id.')
    }
    const body = actionBody(sent, sent.instanceId ?? this.#instanceId, 'receipts.verifyRequestHash')
    return (await computeRequestHash(body)) === full.requestHash.toLowerCase()
  }
}

function checkReceiptId(receiptId: unknown, method: string): string {
  if (typeof receiptId !== 'string' || receiptId.trim() === '') {
    throw invalid(`${method} needs a receipt id (the receiptId of a requestAction result).`)
  }
  return receiptId
}

function instant(value: Date | string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) {
    throw invalid(`receipts.list: ${name} must be a Date or an ISO 8601 string.`)
  }
  return value instanceof Date ? value.toISOString() : value
}
