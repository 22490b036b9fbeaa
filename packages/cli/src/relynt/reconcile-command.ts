import { type ReconciledPayment, reconcilePayments } from '@x/agent-tools'
import { RalioClient } from '@x/ralio'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { duration } from '../cli/parse-values.js'
import { renderTable } from '../cli/render-table.js'
import { UsageError } from '../cli/usage-error.js'
import { withSpinner } from '../cli/with-spinner.js'
import { relyntClient } from './relynt-client.js'

const DEFAULT_WINDOW = '24h'

export async function reconcile({ values, signal, output }: CommandContext): Promise<number> {
  const since = sinceOf((values.since as string | undefined) ?? DEFAULT_WINDOW)
  const until = values.until as string | undefined
  if (until !== undefined && Number.isNaN(Date.parse(until))) {
    throw new UsageError(`--until must be an ISO 8601 instant, got "${until}"`)
  }
  await using relynt = relyntClient(values)
  // The Ralio binding comes from RALIO_API_URL and RALIO_CONFIG_DIR, as x-ralio reads them.
  await using ralio = new RalioClient()
  const result = await withSpinner(output, 'Reconciling payments with receipts…', () =>
    reconcilePayments({ ralio, relynt, since, until, signal }),
  )
  const discrepancies = result.unauthorised.length + result.notExecuted.length + result.mismatched.length
  if (output.json) output.writeJson(result)
  else {
    const { color } = output
    const rows: [string, ReconciledPayment][] = [
      ...result.matched.map((line): [string, ReconciledPayment] => [color.green('matched'), line]),
      ...result.unauthorised.map((line): [string, ReconciledPayment] => [color.red('UNAUTHORISED'), line]),
      ...result.notExecuted.map((line): [string, ReconciledPayment] => [color.yellow('NOT EXECUTED'), line]),
      ...result.mismatched.map((line): [string, ReconciledPayment] => [color.red('MISMATCHED'), line]),
    ]
    if (rows.length > 0) {
      output.line(
        renderTable(
          [
            ['status', ([status]) => status],
            ['paid', ([, line]) => line.paidAt ?? ''],
            [
              'amount',
              ([, line]) => (line.amount === undefined ? '' : `${line.amount} ${line.currency ?? ''}`),
            ],
            ['payee', ([, line]) => line.payee ?? ''],
            ['payment intent', ([, line]) => line.paymentIntentId ?? line.transactionId ?? ''],
            ['receipt', ([, line]) => line.receiptId ?? ''],
            ['link', ([, line]) => line.link ?? ''],
            ['reason', ([, line]) => line.reason],
          ],
          rows,
          color,
        ),
      )
    }
    output.note(
      output.errorColor.dim(
        `${result.matched.length} matched, ${result.unauthorised.length} unauthorised, ` +
          `${result.notExecuted.length} not executed, ${result.mismatched.length} mismatched`,
      ),
    )
  }
  return discrepancies === 0 ? ExitCode.ok : ExitCode.discrepancy
}

/** `24h`, `90m` (back from now) or an ISO 8601 instant. */
function sinceOf(value: string): Date {
  if (/^\d/.test(value) && !value.includes('-')) {
    const back = duration(value, '--since')!
    return new Date(Date.now() - back)
  }
  const time = Date.parse(value)
  if (Number.isNaN(time)) {
    throw new UsageError(`--since must be a duration such as 24h or an ISO 8601 instant, got "${value}"`)
  }
  return new Date(time)
}
