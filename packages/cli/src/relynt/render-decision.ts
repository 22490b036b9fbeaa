import { visibleText } from '@x/core/internal/terminal'
import type { Approval } from '@x/relynt'
import type { Output } from '../cli/output.js'

/** `allow` green, `deny` red, anything pending or new (shown as sent, escapes made visible) yellow. */
export function paintDecision(decision: string, output: Output): string {
  const { color } = output
  decision = visibleText(decision)
  if (decision === 'allow' || decision === 'approved') return color.green(color.bold(decision))
  if (decision === 'deny' || decision === 'denied' || decision === 'expired')
    return color.red(color.bold(decision))
  return color.yellow(color.bold(decision))
}

/** Aligned `label  value` lines, skipping empty values; values came from the gateway, so escapes are shown, not run. */
export function printFields(output: Output, fields: [string, unknown][]): void {
  const shown = fields.filter(([, value]) => value !== undefined && value !== null && value !== '')
  const width = Math.max(...shown.map(([label]) => label.length)) + 2
  for (const [label, value] of shown) {
    const text = visibleText(typeof value === 'string' ? value : JSON.stringify(value))
    output.line(`  ${output.color.dim(label.padEnd(width))}${text}`)
  }
}

export function printApproval(output: Output, approval: Approval): void {
  output.line(`${paintDecision(approval.status, output)}  approval ${visibleText(approval.approvalId)}`)
  printFields(output, [
    ['decided by', approval.decidedBy],
    ['decided at', approval.decidedAt],
    ['receipt', approval.receiptId],
    ['response', approval.toolResponse],
    ['error', approval.error && `${approval.error.code}: ${approval.error.message}`],
  ])
}
