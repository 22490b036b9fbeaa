import type { PagePromise } from '@x/core'
import { type Agent, type PaymentIntent, RalioClient, type Transaction } from '@x/ralio'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { wholeNumber } from '../cli/parse-values.js'
import { renderTable } from '../cli/render-table.js'
import { withSpinner } from '../cli/with-spinner.js'
import { ralioOptions } from './ralio-options.js'

type Columns<T> = [heading: string, cell: (item: T) => string][]

const transactionColumns: Columns<Transaction> = [
  ['date', (transaction) => transaction.date ?? ''],
  ['amount', (transaction) => `${transaction.amount} ${transaction.currency ?? ''}`.trim()],
  ['creditor', (transaction) => transaction.creditor ?? ''],
  ['status', (transaction) => transaction.status ?? ''],
  ['reference', (transaction) => transaction.reference ?? ''],
  ['id', (transaction) => transaction.id],
]

const intentColumns: Columns<PaymentIntent> = [
  ['created', (intent) => intent.createdAt ?? ''],
  ['amount', (intent) => `${intent.totalAmount} ${intent.currency ?? ''}`.trim()],
  ['approval', (intent) => intent.approvalStatus ?? ''],
  ['execution', (intent) => intent.executionStatus ?? ''],
  ['summary', (intent) => intent.userRequestSummary ?? ''],
  ['id', (intent) => intent.id],
]

const agentColumns: Columns<Agent> = [
  ['name', (agent) => agent.name ?? ''],
  ['number', (agent) => (agent.agentNumber === undefined ? '' : String(agent.agentNumber))],
  ['bank', (agent) => agent.bankingProvider ?? ''],
  ['id', (agent) => agent.id],
]

export function listTransactions(context: CommandContext): Promise<number> {
  return listPaged(context, 'transactions', transactionColumns, (client, params) =>
    client.transactions.list(params),
  )
}

export function listIntents(context: CommandContext): Promise<number> {
  return listPaged(context, 'payment intents', intentColumns, (client, params) =>
    client.paymentIntents.list(params),
  )
}

export async function listAgents({ values, signal, output }: CommandContext): Promise<number> {
  await using client = new RalioClient(ralioOptions(values))
  const agents = await withSpinner(output, 'Loading agents…', () => client.agents.list({ signal }))
  if (output.json) output.writeJson(agents)
  else output.line(renderTable(agentColumns, agents, output.color))
  return ExitCode.ok
}

async function listPaged<T>(
  { values, signal, output }: CommandContext,
  noun: string,
  columns: Columns<T>,
  list: (
    client: RalioClient,
    params: { page?: number; perPage?: number; signal: AbortSignal },
  ) => PagePromise<T>,
): Promise<number> {
  const params = {
    page: wholeNumber(values.page as string | undefined, '--page'),
    perPage: wholeNumber(values['per-page'] as string | undefined, '--per-page'),
    signal,
  }
  await using client = new RalioClient(ralioOptions(values))
  let items: T[]
  let footer: string
  if (values.all === true) {
    items = await withSpinner(output, `Loading ${noun}…`, async () => {
      const all: T[] = []
      for await (const item of list(client, params)) all.push(item)
      return all
    })
    footer = `${items.length} ${noun}`
  } else {
    const page = await withSpinner(output, `Loading ${noun}…`, () => list(client, params))
    items = page.data
    const first = (page.page - 1) * page.perPage
    footer =
      items.length === 0
        ? `no ${noun} on page ${page.page} (${page.total} in all)`
        : `${first + 1}–${first + items.length} of ${page.total} ${noun}` +
          (page.hasNextPage() ? ` · next: --page ${page.page + 1}, or --all` : '')
  }
  if (output.json) {
    output.writeJson(items)
    return ExitCode.ok
  }
  if (items.length > 0) output.line(renderTable(columns, items, output.color))
  output.note(output.errorColor.dim(footer))
  return ExitCode.ok
}
