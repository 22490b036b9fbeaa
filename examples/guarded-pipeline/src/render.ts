import type { ChatStreamEvent } from '@x/ralio'
import picocolors from 'picocolors'
import type { Failure } from './describe-failure.js'
import { formatAmount, type Payment } from './payments.js'
import type { PipelineSummary } from './pipeline.js'
import { startSpinner } from './spinner.js'

/** Anything with `write`: a terminal, a pipe, or a test's collector. */
export interface Output {
  write(text: string): unknown
}

export interface RendererOptions {
  stdout: Output
  /** The spinner's terminal; without one, waiting is a plain line. */
  spinnerStream?: NodeJS.WriteStream | undefined
  color: boolean
  /** Terminal width: a tool call's details are cut to one line. Unset: logs keep everything. */
  columns?: number | undefined
}

/** Something the host is waiting on, shown until it is over. */
export interface Waiting {
  update(text: string): void
  stop(): void
}

type DecisionKind = 'allow' | 'pending' | 'approved' | 'deny'

const indent = '    '
/** Of a tool's arguments or result, shown on one line. */
const maxEntries = 4

/**
 * Everything the demo prints. On a terminal: colour, a spinner while waiting and the
 * agent's words as they stream. Elsewhere (a pipe, CI, a test): the same lines, plain.
 */
export class Renderer {
  readonly #out: Output
  readonly #spinnerStream: NodeJS.WriteStream | undefined
  readonly #colors: ReturnType<typeof picocolors.createColors>
  readonly #columns: number | undefined
  /** True while the agent's reply is being written on the current line. */
  #inReply = false

  constructor(options: RendererOptions) {
    this.#out = options.stdout
    this.#spinnerStream = options.spinnerStream
    this.#colors = picocolors.createColors(options.color)
    this.#columns = options.columns || undefined
  }

  title(text: string): void {
    this.#line(this.#colors.bold(text))
    this.#line('')
  }

  step(label: string, detail: string): void {
    this.#line(`${this.#colors.green('✓')} ${this.#colors.bold(label)} ${detail}`)
  }

  paymentStart(index: number, count: number, payment: Payment): void {
    const { bold, dim } = this.#colors
    this.#line('')
    this.#line(
      `${bold(`Payment ${index}/${count}`)}  £${formatAmount(payment.amount)} to ${bold(payment.payee)} ${dim(`for ${payment.reference}`)}`,
    )
  }

  decision(kind: DecisionKind, text: string): void {
    const { green, yellow, red, cyan } = this.#colors
    const mark = {
      allow: green('✓ Relynt'),
      pending: yellow('… Relynt'),
      approved: cyan('✓ Relynt'),
      deny: red('✗ Relynt'),
    }
    this.#line(`  ${mark[kind]} ${text}`)
  }

  waiting(text: string): Waiting {
    if (this.#spinnerStream === undefined) {
      this.#line(`  ${this.#colors.yellow('…')} ${text}`)
      return { update() {}, stop() {} }
    }
    const spinner = startSpinner(this.#spinnerStream, `  ${text}`)
    return { update: (next) => spinner.update(`  ${next}`), stop: () => spinner.stop() }
  }

  userMessage(text: string): void {
    this.#line(`  ${this.#colors.dim('host ›')} ${text}`)
  }

  agentEvent(event: ChatStreamEvent): void {
    const { dim, magenta, green, red } = this.#colors
    const data = asRecord(event.data)
    switch (event.event) {
      case 'conversation':
        return
      case 'tool_started':
        this.#endReply()
        this.#line(
          this.#toolLine(magenta('⚙'), String(data.toolName ?? 'tool'), describeValue(data.arguments)),
        )
        return
      case 'tool_completed':
        this.#endReply()
        this.#line(this.#toolLine(green('↳'), String(data.toolName ?? 'tool'), describeValue(data.result)))
        return
      case 'tool_failed':
        this.#endReply()
        this.#line(
          `${indent}${red('↳')} ${String(data.toolName ?? 'tool')} failed: ${describeValue(data.error)}`,
        )
        return
      case 'text_delta':
        if (!this.#inReply) {
          this.#out.write(`${indent}${this.#colors.cyan('agent ›')} `)
          this.#inReply = true
        }
        this.#out.write((event.text ?? '').replaceAll('\n', `\n${indent}        `))
        return
      case 'reply':
        // A server that streams no deltas still sends the whole reply at the end.
        if (!this.#inReply) this.#line(`${indent}${this.#colors.cyan('agent ›')} ${event.text ?? ''}`)
        this.#endReply()
        return
      default:
        this.#endReply()
        this.#line(`${indent}${dim(`· ${event.name}`)}`)
    }
  }

  /** What Ralio did with an authorised payment: `paid` with its intent, or why not. */
  effect(status: string, message: string): void {
    this.#endReply()
    const { green, red, bold } = this.#colors
    const colour = status === 'paid' ? green : red
    this.#line(`${indent}${colour(status === 'paid' ? '✓' : '✗')} ${bold(colour(status))} ${message}`)
  }

  summary(summary: PipelineSummary): void {
    const { bold, green, red, cyan, dim } = this.#colors
    this.#line('')
    this.#line(bold('Decisions'))
    const decisionColour = { allowed: green, approved: cyan, denied: red, expired: red }
    this.#table(
      ['#', 'Payee', 'Amount', 'Decision', 'Approver', 'Receipt', 'Verifies', 'Ralio', 'Payment intent'],
      summary.outcomes.map((outcome, index) => [
        String(index + 1),
        outcome.payment.payee,
        `£${formatAmount(outcome.payment.amount)}`,
        decisionColour[outcome.decision](outcome.decision),
        outcome.approver ?? dim('—'),
        outcome.receiptId,
        outcome.receiptVerified ? green('yes') : red('NO'),
        outcome.paymentStatus === undefined
          ? dim('not asked')
          : outcome.paymentStatus === 'paid'
            ? green('paid')
            : red(outcome.paymentStatus),
        outcome.paymentIntentId ?? dim('—'),
      ]),
    )

    this.#line('')
    this.#line(bold(`Payment intents Ralio holds (${summary.paymentIntents.length})`))
    this.#table(
      ['Intent', 'Amount', 'Payee', 'Approval', 'Execution'],
      summary.paymentIntents.map((intent) => [
        intent.id,
        money(intent.totalAmount, intent.currency),
        intent.instructions[0]?.creditorName ?? dim('—'),
        intent.approvalStatus ?? dim('—'),
        intent.executionStatus ?? dim('—'),
      ]),
    )

    this.#line('')
    this.#line(bold(`Transactions (${summary.transactions.length})`))
    this.#table(
      ['Transaction', 'Amount', 'Creditor', 'Reference', 'Status'],
      summary.transactions.map((transaction) => [
        transaction.id,
        money(transaction.amount, transaction.currency),
        transaction.creditor ?? dim('—'),
        transaction.reference ?? dim('—'),
        transaction.status ?? dim('—'),
      ]),
    )

    const count = (decision: string) =>
      summary.outcomes.filter((outcome) => outcome.decision === decision).length
    const allVerify = summary.outcomes.every(
      (outcome) => outcome.receiptVerified && outcome.requestHashMatches,
    )
    this.#line('')
    this.#line(
      `${allVerify ? green('✓') : red('✗')} ${summary.outcomes.length} payments: ${count('allowed')} allowed, ` +
        `${count('approved')} approved by a person, ${count('denied') + count('expired')} refused. ` +
        (allVerify
          ? 'Every receipt verifies and records exactly the request this host sent.'
          : red('Some receipts do not verify: see the table above.')),
    )

    const { matched, unauthorised, notExecuted, mismatched } = summary.reconciliation
    const lines = [
      ...matched.map((line) => [green('matched'), line] as const),
      ...unauthorised.map((line) => [red('UNAUTHORISED'), line] as const),
      ...notExecuted.map((line) => [red('NOT EXECUTED'), line] as const),
      ...mismatched.map((line) => [red('MISMATCHED'), line] as const),
    ]
    this.#line('')
    this.#line(bold('Reconciliation: every Ralio payment of this run against the Relynt receipts'))
    this.#table(
      ['Status', 'Payee', 'Amount', 'Receipt', 'Link', 'Reason'],
      lines.map(([status, line]) => [
        status,
        line.payee ?? dim('—'),
        line.amount === undefined ? dim('—') : money(line.amount, line.currency),
        line.receiptId ?? dim('—'),
        line.link ?? dim('—'),
        line.reason,
      ]),
    )
    const flagged = unauthorised.length + notExecuted.length + mismatched.length
    this.#line('')
    this.#line(
      `${flagged === 0 ? green('✓') : red('✗')} ${matched.length} matched, ${unauthorised.length} unauthorised, ` +
        `${notExecuted.length} not executed, ${mismatched.length} mismatched` +
        (flagged === 0
          ? '.'
          : red(' — flagged: a payment no receipt allowed (`x-relynt reconcile` exits 6).')),
    )
  }

  failure(failure: Failure): void {
    this.#endReply()
    const { red, bold } = this.#colors
    this.#line('')
    this.#line(`${red('✗')} ${bold(failure.title)}`)
    this.#line(failure.paragraph)
    if (failure.stack) this.#line(this.#colors.dim(failure.stack))
  }

  #toolLine(mark: string, toolName: string, details: string): string {
    const room = this.#columns === undefined ? Infinity : this.#columns - indent.length - toolName.length - 3
    const fitted = details.length <= room ? details : `${details.slice(0, Math.max(0, room - 1))}…`
    return `${indent}${mark} ${toolName} ${this.#colors.dim(fitted)}`
  }

  /** Ends the agent's reply line before anything else is printed. */
  #endReply(): void {
    if (!this.#inReply) return
    this.#out.write('\n')
    this.#inReply = false
  }

  #line(text: string): void {
    this.#out.write(`${text}\n`)
  }

  #table(header: string[], rows: string[][]): void {
    if (rows.length === 0) {
      this.#line(`  ${this.#colors.dim('(none)')}`)
      return
    }
    const widths = header.map((title, column) =>
      Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ''))),
    )
    const format = (cells: string[]) =>
      `  ${cells.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell))).join('  ')}`.trimEnd()
    this.#line(this.#colors.dim(format(header)))
    for (const row of rows) this.#line(format(row))
  }
}

function money(amount: string | undefined, currency: string | undefined): string {
  return amount === undefined ? '—' : `${formatAmount(amount)} ${currency ?? ''}`.trim()
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the colour codes picocolors adds.
  return text.replace(/\x1b\[[0-9;]*m/g, '').length
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}

/** A tool's arguments or result on one line: scalars as key=value, the rest summarised. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value !== 'object') return String(value)
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`
  const entries = Object.entries(value).filter(([, entry]) => entry !== null && entry !== undefined)
  const shown = entries
    .slice(0, maxEntries)
    .map(([key, entry]) => `${key}=${typeof entry === 'object' ? describeValue(entry) : String(entry)}`)
  return entries.length > maxEntries ? `${shown.join(' ')} …` : shown.join(' ')
}
