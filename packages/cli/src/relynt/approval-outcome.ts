import { visibleText } from '@x/core/internal/terminal'
import type { Approval, RelyntClient } from '@x/relynt'
import { CommandFailure } from '../cli/command-failure.js'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'

/**
 * Waits for a person to decide `approvalId`, with a spinner saying how long it has been.
 * Ctrl+C stops the wait, not the approval: the note says how to resume.
 */
export async function waitForDecision(
  client: RelyntClient,
  context: CommandContext,
  approvalId: string,
  timeoutMs: number | undefined,
): Promise<Approval> {
  context.interruptNote = `Stopped waiting; approval ${approvalId} is still pending. Resume with: x-relynt approval wait ${approvalId}`
  const started = Date.now()
  const waiting = `Waiting for a decision on approval ${visibleText(approvalId)}`
  const spinner = context.output.spinner(`${waiting}…`)
  // Without a terminal there is no spinner; a log still shows what the command is doing.
  if (context.output.stderr.isTTY !== true) context.output.note(`${waiting}…`)
  try {
    return await client.pollApproval({
      approvalId,
      timeoutMs,
      signal: context.signal,
      onPoll: (status, attempt) =>
        // The status comes last and must stay visible: the spinner shortens the id to keep it.
        spinner.update(
          `${waiting} (${visibleText(status)}, ${Math.round((Date.now() - started) / 1000)} s, check ${attempt})`,
        ),
    })
  } finally {
    spinner.stop()
  }
}

/** 0 approved, 3 denied, expired or a status this version does not know (fail closed). */
export function approvalExitCode(approval: Approval): number {
  if (approval.status !== 'approved') return ExitCode.denied
  if (approval.error !== undefined) {
    throw new CommandFailure(
      `Approval ${approval.approvalId} was approved${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}, but the gateway's connector then failed (${visibleText(`${approval.error.code}: ${approval.error.message}`)}); the action did not complete.`,
      ExitCode.error,
    )
  }
  return ExitCode.ok
}
