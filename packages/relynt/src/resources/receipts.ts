import {
  APIPromise,
  type CursorPage,
  type CursorPageData,
  cursorPagePromise,
  PagePromise,
  type RequestCallOptions,
} from '@x/core'
import { callOptions, type Transport } from '@x/core/internal'
import { invalidResponse } from '../invalid-response.js'
import { computeRequestHash } from '../request-hash.js'
import {
  type Receipt,
  type ReceiptSummary,
  receiptPageSchema,
  receiptSchema,
  receiptVerificationSchema,
} from '../schemas/receipt.js'
import type { ReceiptDecision, RiskLevel } from '../schemas/wire-values.js'
import type { RequestSignalOptions } from './approvals.js'
import { type ActionInput, actionBody, idSegment, invalid } from './validate-request.js'

/** Filters of `receipts.list()`. */
export interface ReceiptListFilters extends RequestCallOptions {
  decision?: ReceiptDecision
  riskLevel?: RiskLevel
  agentId?: string
  /** Receipts created at or after this instant (a Date or an ISO 8601 string). */
  from?: Date | string
  /** Receipts created at or before this instant. */
  to?: Date | string
  /** Free-text search over action and resource. */
  search?: string
  /** Receipts per page to ask for, sent as `limit`; default: the gateway's page size. */
  limit?: number
}

/** Empty pages that point on to another page, followed before giving up on the gateway. */
const MAX_EMPTY_PAGES_IN_A_ROW = 20

/** What was sent, to recompute a receipt's `request_hash`; `instanceId` defaults to this client's. */
export type SentRequest = ActionInput

/** `client.receipts`: the gateway's signed record of every decision, and checks that a receipt is genuine. */
export class Receipts {
  readonly #transport: Transport
  readonly #instanceId: string

  constructor(transport: Transport, instanceId: string) {
    this.#transport = transport
    this.#instanceId = instanceId
  }

  /** The full receipt, camelCased. `.withResponse()` adds the raw response and request id. */
  get(receiptId: string, options: RequestSignalOptions = {}): APIPromise<Receipt> {
    return new APIPromise(
      (async () =>
        this.#transport.requestWithResponse({
          method: 'GET',
          path: `/v1/receipts/${checkReceiptId(receiptId, 'receipts.get')}`,
          schema: receiptSchema,
          ...callOptions(options),
        }))(),
    )
  }

  /**
   * The gateway's own check of the receipt's HMAC signature: false means the stored
   * receipt no longer matches what was signed (it was altered). `.withResponse()` adds the
   * raw response and request id.
   */
  verify(receiptId: string, options: RequestSignalOptions = {}): APIPromise<boolean> {
    return new APIPromise(
      (async () =>
        this.#transport.requestWithResponse({
          method: 'GET',
          path: `/v1/receipts/${checkReceiptId(receiptId, 'receipts.verify')}/verify`,
          schema: receiptVerificationSchema,
          ...callOptions(options),
        }))(),
    )
  }

  /**
   * Receipts matching the filters, in the order the gateway returns them (newest first).
   * `await` it for the first page (a `CursorPage`: iterable, with `nextCursor`,
   * `hasNextPage()` / `getNextPage()`), or `for await` it for every receipt of every page,
   * each page fetched as the loop reaches it by following the gateway's cursor. The gateway
   * reports no total, so a page has none. A gateway that answers with a bare array gives one
   * page; a page that says `has_more` without a cursor throws `invalid_response` rather than
   * stopping short. `.withResponse()` gives the first page with its raw response.
   */
  list(filters: ReceiptListFilters = {}): PagePromise<ReceiptSummary, CursorPage<ReceiptSummary>> {
    let query: Record<string, string | number | undefined>
    try {
      query = listQuery(filters)
    } catch (error) {
      // Bad input rejects like a failed call would, when the list is awaited or iterated.
      return new PagePromise(() => Promise.reject(error))
    }
    return cursorPagePromise(async (start, followed): Promise<CursorPageData<ReceiptSummary>> => {
      let cursor = start
      for (let emptyPages = 0; ; emptyPages++) {
        const { data: wire, response } = await this.#transport.requestWithResponse({
          method: 'GET',
          path: '/v1/receipts',
          query: { ...query, cursor },
          schema: receiptPageSchema,
          ...callOptions(filters),
        })
        // A cursor that already led to this page or an earlier one would make the listing loop.
        const next = nextCursor(wire, (candidate) => candidate === cursor || followed(candidate))
        if (wire.receipts.length > 0 || next === undefined) {
          return { data: wire.receipts, nextCursor: next, response }
        }
        if (emptyPages >= MAX_EMPTY_PAGES_IN_A_ROW) {
          throw invalidResponse(
            `The gateway sent ${MAX_EMPTY_PAGES_IN_A_ROW + 1} empty receipt pages in a row, each pointing to another; stopped following them.`,
            ['receipts'],
          )
        }
        cursor = next
      }
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
    const body = actionBody(sent, this.#instanceId, 'receipts.verifyRequestHash')
    return (await computeRequestHash(body)) === full.requestHash.toLowerCase()
  }
}

/** The receipt id, checked and encoded for the path. */
function checkReceiptId(receiptId: unknown, method: string): string {
  return idSegment(receiptId, 'receiptId', method, 'a receipt id (the receiptId of a requestAction result)')
}

function listQuery(filters: ReceiptListFilters): Record<string, string | number | undefined> {
  if (typeof filters !== 'object' || filters === null) {
    throw invalid('receipts.list takes an object of filters, e.g. { decision: "deny", limit: 100 }.')
  }
  return {
    decision: filters.decision,
    risk_level: filters.riskLevel,
    agent_id: filters.agentId,
    from: instant(filters.from, 'from'),
    to: instant(filters.to, 'to'),
    search: filters.search,
    limit: pageSize(filters.limit),
  }
}

/** Where the page after this one starts, or undefined on the last page; never a silent stop. */
function nextCursor(
  wire: { nextCursor: string | undefined; hasMore: boolean | undefined },
  followed: (cursor: string) => boolean,
): string | undefined {
  if (wire.hasMore === false) return undefined
  if (wire.nextCursor === undefined) {
    if (wire.hasMore === true) {
      throw invalidResponse(
        'The gateway says more receipts follow (has_more) but names no next_cursor to fetch them with; ' +
          'the listing would be incomplete. Narrow it with filters (from, to, decision) or report the gateway bug.',
        ['next_cursor'],
      )
    }
    return undefined
  }
  if (followed(wire.nextCursor)) {
    throw invalidResponse(
      'The gateway answered a receipt page with a cursor it had already answered; following it would loop forever.',
      ['next_cursor'],
    )
  }
  return wire.nextCursor
}

function pageSize(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined
  if (!Number.isInteger(limit) || limit < 1) {
    throw invalid(`receipts.list: limit must be a whole number, 1 or more (got ${String(limit)}).`, 'limit')
  }
  return limit
}

function instant(value: Date | string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) {
    throw invalid(`receipts.list: ${name} must be a Date or an ISO 8601 string.`, name)
  }
  return value instanceof Date ? value.toISOString() : value
}
