import { visibleText } from '@x/core/internal/terminal'
import type { ReceiptListFilters, ReceiptSummary } from '@x/relynt'
import { CommandFailure } from '../cli/command-failure.js'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { wholeNumber } from '../cli/parse-values.js'
import { renderTable } from '../cli/render-table.js'
import { UsageError } from '../cli/usage-error.js'
import { withSpinner } from '../cli/with-spinner.js'
import { actionInput } from './action-input.js'
import { relyntClient } from './relynt-client.js'
import { paintDecision, printFields } from './render-decision.js'

export async function listReceipts({ values, signal, output }: CommandContext): Promise<number> {
  await using client = relyntClient(values)
  const filters: ReceiptListFilters = {
    decision: values.decision as ReceiptListFilters['decision'],
    riskLevel: values.risk as ReceiptListFilters['riskLevel'],
    agentId: values['by-agent'] as string | undefined,
    from: values.from as string | undefined,
    to: values.to as string | undefined,
    search: values.search as string | undefined,
    limit: wholeNumber(values.limit as string | undefined, '--limit'),
    signal,
  }
  const receipts = await withSpinner(output, 'Loading receipts…', async () => {
    if (values.all !== true) return (await client.receipts.list(filters)).data
    const all: ReceiptSummary[] = []
    for await (const receipt of client.receipts.list(filters)) all.push(receipt)
    return all
  })
  if (output.json) {
    output.writeJson(receipts)
    return ExitCode.ok
  }
  if (receipts.length > 0) {
    output.line(
      renderTable(
        [
          ['created', (receipt) => receipt.createdAt ?? ''],
          ['decision', (receipt) => receipt.decision ?? ''],
          ['risk', (receipt) => receipt.riskLevel ?? ''],
          ['action', (receipt) => receipt.action ?? ''],
          ['resource', (receipt) => receipt.resource ?? ''],
          ['receipt', (receipt) => receipt.receiptId],
        ],
        receipts,
        output.color,
      ),
    )
  }
  output.note(output.errorColor.dim(`${receipts.length} receipt${receipts.length === 1 ? '' : 's'}`))
  return ExitCode.ok
}

export async function getReceipt({ values, positionals, signal, output }: CommandContext): Promise<number> {
  await using client = relyntClient(values)
  const receipt = await withSpinner(output, 'Loading the receipt…', () =>
    client.receipts.get(positionals[0]!, { signal }),
  )
  if (output.json) {
    output.writeJson(receipt)
    return ExitCode.ok
  }
  output.line(`${paintDecision(receipt.decision, output)}  receipt ${visibleText(receipt.receiptId)}`)
  printFields(output, [
    ['created', receipt.createdAt],
    ['action', receipt.action],
    ['resource', receipt.resource],
    ['reason', receipt.reason],
    ['risk', receipt.riskLevel],
    ['policy', receipt.policyVersion],
    ['organization', receipt.organizationId],
    ['agent', receipt.agentId],
    ['instance', receipt.instanceId],
    ['approval', receipt.approvalId],
    ['approver', receipt.approver],
    ['idempotency key', receipt.idempotencyKey],
    ['request hash', receipt.requestHash],
    ['response hash', receipt.responseHash],
    ['signature', receipt.signature],
  ])
  return ExitCode.ok
}

export async function verifyReceipt({
  values,
  positionals,
  signal,
  output,
}: CommandContext): Promise<number> {
  const receiptId = positionals[0]!
  const checkHash = values.action !== undefined || values.resource !== undefined
  if (checkHash && (values.action === undefined || values.resource === undefined)) {
    throw new UsageError(
      'the request-hash check needs both --action and --resource (and --payload if one was sent)',
    )
  }
  if (!checkHash && (values.payload !== undefined || values['instance-id'] !== undefined)) {
    throw new UsageError(
      '--payload and --instance-id describe the request sent: give --action and --resource too',
    )
  }
  const sent = checkHash ? await actionInput(values) : undefined
  await using client = relyntClient({ ...values, 'instance-id': undefined })
  const { signatureValid, requestHashMatches } = await withSpinner(
    output,
    'Verifying the receipt…',
    async () => {
      const signatureValid = await client.receipts.verify(receiptId, { signal })
      if (sent === undefined) return { signatureValid, requestHashMatches: null }
      const receipt = await client.receipts.get(receiptId, { signal })
      const instanceId = (values['instance-id'] as string | undefined) ?? receipt.instanceId
      const requestHashMatches = await client.receipts.verifyRequestHash(
        receipt,
        { ...sent, instanceId },
        { signal },
      )
      return { signatureValid, requestHashMatches }
    },
  )
  if (output.json) output.writeJson({ receiptId, signatureValid, requestHashMatches })
  else {
    const { color } = output
    const mark = (ok: boolean) => (ok ? color.green('✔') : color.red('✖'))
    output.line(
      `${mark(signatureValid)} signature ${signatureValid ? 'valid' : 'INVALID'} (checked by the gateway)`,
    )
    if (requestHashMatches !== null) {
      output.line(
        `${mark(requestHashMatches)} request hash ${requestHashMatches ? 'matches' : 'does NOT match'} what you sent`,
      )
    }
  }
  if (!signatureValid) {
    throw new CommandFailure(
      `Receipt ${receiptId} does not verify: the stored receipt no longer matches what the gateway signed.`,
      ExitCode.error,
    )
  }
  if (requestHashMatches === false) {
    throw new CommandFailure(
      `Receipt ${receiptId} records a different request from the one given (action, resource, payload or instance id).`,
      ExitCode.error,
    )
  }
  return ExitCode.ok
}
