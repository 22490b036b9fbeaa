import { interpretDecision } from '@x/relynt'
import type { CommandContext } from '../cli/command-spec.js'
import { duration } from '../cli/parse-values.js'
import { withSpinner } from '../cli/with-spinner.js'
import { verdictExitCode, waitForDecision } from './approval-outcome.js'
import { relyntClient } from './relynt-client.js'
import { printApproval } from './render-decision.js'

export async function waitForApproval(context: CommandContext): Promise<number> {
  const { values, positionals, output } = context
  const timeoutMs = duration(values.timeout as string | undefined, '--timeout')
  await using client = relyntClient(values)
  const approval = await waitForDecision(client, context, positionals[0]!, timeoutMs)
  if (output.json) output.writeJson(approval)
  else printApproval(output, approval)
  return verdictExitCode(interpretDecision({ approval }))
}

/** One check; exits like `approval wait`, or 5 while it is still pending. */
export async function getApproval({ values, positionals, signal, output }: CommandContext): Promise<number> {
  await using client = relyntClient(values)
  const approval = await withSpinner(output, 'Checking the approval…', () =>
    client.approvals.get(positionals[0]!, { signal }),
  )
  if (output.json) output.writeJson(approval)
  else printApproval(output, approval)
  return verdictExitCode(interpretDecision({ approval }))
}
