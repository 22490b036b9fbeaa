import { visibleText } from '@x/core/internal/terminal'
import { type ActionResult, type Approval, ApprovalTimeoutError, interpretDecision } from '@x/relynt'
import type { CommandContext } from '../cli/command-spec.js'
import { duration } from '../cli/parse-values.js'
import { withSpinner } from '../cli/with-spinner.js'
import { actionInput } from './action-input.js'
import { verdictExitCode, waitForDecision } from './approval-outcome.js'
import { relyntClient } from './relynt-client.js'
import { paintDecision, printApproval, printFields } from './render-decision.js'

export async function run(context: CommandContext): Promise<number> {
  const { values, signal, output } = context
  const timeoutMs = duration(values.timeout as string | undefined, '--timeout')
  const input = await actionInput(values)
  await using client = relyntClient(values)
  const result = await withSpinner(
    output,
    `Asking the gateway about ${input.action} on ${input.resource}…`,
    () =>
      client.requestAction({
        ...input,
        idempotencyKey: values['idempotency-key'] as string | undefined,
        signal,
      }),
  )
  const report = { ...result, instanceId: client.instanceId }

  if (result.decision === 'pending_approval' && values.wait === true) {
    if (!output.json) printResult(context, result, client.instanceId)
    let approval: Approval
    try {
      approval = await waitForDecision(client, context, result.approvalId!, timeoutMs)
    } catch (error) {
      // A script still learns which approval to wait for again.
      if (output.json && ApprovalTimeoutError.isInstance(error)) output.writeJson(report)
      throw error
    }
    if (output.json) output.writeJson({ ...report, approval })
    else printApproval(output, approval)
    return verdictExitCode(interpretDecision({ result, approval }))
  }

  if (output.json) output.writeJson(report)
  else printResult(context, result, client.instanceId)
  const verdict = interpretDecision({ result })
  if (verdict.kind === 'pending') {
    output.note(
      output.errorColor.dim(
        `Not waited for; wait with: x-relynt approval wait ${visibleText(verdict.approvalId)}`,
      ),
    )
  }
  return verdictExitCode(verdict)
}

function printResult({ output }: CommandContext, result: ActionResult, instanceId: string): void {
  output.line(`${paintDecision(result.decision, output)}  ${visibleText(result.reason ?? '')}`.trimEnd())
  printFields(output, [
    ['receipt', result.receiptId],
    ['approval', result.approvalId],
    ['risk', result.riskLevel],
    ['policy', result.policyVersion],
    ['response', result.toolResponse],
    ['idempotency key', result.idempotencyKey],
    ['instance', instanceId],
  ])
}
