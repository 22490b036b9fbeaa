import { visibleText } from '@x/core/internal/terminal'
import type { ActionVerdict, Approval, RelyntClient } from '@x/relynt'
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

/**
 * The exit code of the gateway's answer, read by Relynt's `interpretDecision` as `guard()` and
 * the agent tools read it: 0 allowed, 3 denied (also expired, or an answer this version does
 * not know: fail closed), 5 still pending. Approved but the gateway's connector then failed
 * is an error (exit 1) whose message says what failed.
 */
export function verdictExitCode(verdict: ActionVerdict): number {
  switch (verdict.kind) {
    case 'allowed':
      return ExitCode.ok
    case 'pending':
      return ExitCode.pendingApproval
    case 'denied':
      return ExitCode.denied
    case 'failed':
      throw new CommandFailure(visibleText(verdict.message), ExitCode.error)
  }
}
