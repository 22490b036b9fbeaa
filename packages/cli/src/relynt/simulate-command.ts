import { visibleText } from '@x/core/internal/terminal'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { withSpinner } from '../cli/with-spinner.js'
import { actionInput } from './action-input.js'
import { relyntClient } from './relynt-client.js'
import { paintDecision, printFields } from './render-decision.js'

export async function run({ values, signal, output }: CommandContext): Promise<number> {
  const input = await actionInput(values)
  await using client = relyntClient(values)
  const simulation = await withSpinner(output, 'Asking the policy simulator…', () =>
    client.simulate({ ...input, signal }),
  )
  if (output.json) output.writeJson(simulation)
  else {
    output.line(
      `${paintDecision(simulation.decision, output)}  ${visibleText(simulation.reason ?? '')}`.trimEnd(),
    )
    const rule = simulation.matchedRule
    printFields(output, [
      ['risk', simulation.riskLevel],
      ['requires approval', simulation.requiresApproval ? 'yes' : 'no'],
      ['policy', simulation.policyVersion],
      [
        'matched rule',
        rule === null
          ? 'none (the policy default applied)'
          : `#${rule.index} ${visibleText(`${rule.action} ${rule.resourcePattern}`)}`,
      ],
    ])
    output.note(output.errorColor.dim('Simulated: nothing ran, no receipt or approval was made.'))
  }
  if (simulation.decision === 'allow') return ExitCode.ok
  if (simulation.decision === 'pending_approval') return ExitCode.pendingApproval
  return ExitCode.denied
}
