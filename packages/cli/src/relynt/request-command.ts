import { visibleText } from '@x/core/internal/terminal'
import { type ActionResult, type Approval, ApprovalTimeoutError } from '@x/relynt'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { duration } from '../cli/parse-values.js'
import { withSpinner } from '../cli/with-spinner.js'
import { actionInput } from './action-input.js'
import { approvalExitCode, waitForDecision } from './approval-outcome.js'
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
    return approvalExitCode(approval)
  }

  if (output.json) output.writeJson(report)
  else printResult(context, result, client.instanceId)
  switch (result.decision) {
    case 'allow':
      return ExitCode.ok
    case 'pending_approval':
      output.note(
        output.errorColor.dim(
          `Not waited for; wait with: x-relynt approval wait ${visibleText(result.approvalId ?? '')}`,
        ),
      )
      return ExitCode.pendingApproval
    default:
      // deny, or a decision this version does not know: not authorised.
      return ExitCode.denied
  }
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
