import type { PaymentIntent, Transaction } from '@x/ralio'
import * as z from 'zod/mini'
import type { AgentTool } from '../agent-tool.js'
import { defineTool } from '../define-tool.js'
import { guardOf, type RalioToolsOptions } from './ralio-client-like.js'

const listInput = z.object({
  page: z.optional(z.int().check(z.minimum(1), z.maximum(10_000), z.describe('1-based page; default 1.'))),
  perPage: z.optional(
    z.int().check(z.minimum(1), z.maximum(100), z.describe('Items per page, 1–100; default 20.')),
  ),
})

/**
 * What the model sends a list tool.
 * @useDeclaredType
 */
export type ListInput = z.infer<typeof listInput>

/** One page of a list tool's result, with what the model needs to ask for the next. */
export interface ListResult<T> {
  items: T[]
  page: number
  perPage: number
  total: number
  /** Another page follows: call again with `page + 1`. */
  hasMore: boolean
}

/** `ralio_list_transactions`: the payments the agent made, newest first (read-only). */
export function ralioListTransactionsTool(
  options: RalioToolsOptions,
): AgentTool<ListInput, ListResult<Transaction>> {
  guardOf(options, 'ralio_list_transactions')
  return listTool(
    'ralio_list_transactions',
    'List Ralio transactions',
    'List the payments (transactions) the Ralio agent made, newest first. Amounts are decimal strings. Read-only.',
    (params) => options.ralio.transactions.list({ ...params, agentId: options.agentId }),
  )
}

/** `ralio_list_payment_intents`: what the agent proposed to pay and its approval state (read-only). */
export function ralioListPaymentIntentsTool(
  options: RalioToolsOptions,
): AgentTool<ListInput, ListResult<PaymentIntent>> {
  guardOf(options, 'ralio_list_payment_intents')
  return listTool(
    'ralio_list_payment_intents',
    'List Ralio payment intents',
    'List the payment intents of the Ralio agent (what it proposed to pay, whether it was approved and executed), ' +
      'newest first. Read-only.',
    (params) => options.ralio.paymentIntents.list({ ...params, agentId: options.agentId }),
  )
}

interface PageLike<T> {
  data: T[]
  page: number
  perPage: number
  total: number
  hasNextPage(): boolean
}

const listResult = z.object({
  items: z.array(z.looseObject({ id: z.string() })),
  page: z.number(),
  perPage: z.number(),
  total: z.number(),
  hasMore: z.boolean().check(z.describe('Another page follows: call again with page + 1.')),
})

function listTool<T>(
  name: string,
  title: string,
  description: string,
  list: (params: { page: number; perPage: number; signal?: AbortSignal }) => PromiseLike<PageLike<T>>,
): AgentTool<ListInput, ListResult<T>> {
  return defineTool({
    name,
    description,
    input: listInput,
    output: { result: listResult },
    annotations: { title, readOnlyHint: true, openWorldHint: true },
    async execute(input, { signal }) {
      const page = await list({ page: input.page ?? 1, perPage: input.perPage ?? 20, signal })
      return {
        items: page.data,
        page: page.page,
        perPage: page.perPage,
        total: page.total,
        hasMore: page.hasNextPage(),
      }
    },
  })
}
