import type { RelyntSandbox } from '@x/sandbox'

export interface ApproverLoop {
  readonly decisions: { approved: number; denied: number; failed: number }
  /** Stops after deciding whatever is still pending, so no approval is left open. */
  stop(): Promise<void>
}

/** A person in Slack: every `intervalMs` decides each pending approval, three in four approved. */
export function approverLoop(sandbox: RelyntSandbox, intervalMs: number): ApproverLoop {
  const decisions = { approved: 0, denied: 0, failed: 0 }
  const deciding = new Set<string>()
  const decideAll = async () => {
    const pending = sandbox
      .listApprovals({ status: 'pending' })
      .filter((approval) => !deciding.has(approval.approval_id))
    await Promise.all(
      pending.map(async ({ approval_id: approvalId }) => {
        deciding.add(approvalId)
        try {
          if (Math.random() < 0.75) {
            await sandbox.approve(approvalId, { approver: 'slack:USOAK' })
            decisions.approved++
          } else {
            sandbox.deny(approvalId, { approver: 'slack:USOAK' })
            decisions.denied++
          }
        } catch {
          decisions.failed++
        } finally {
          deciding.delete(approvalId)
        }
      }),
    )
  }
  let running = Promise.resolve()
  const timer = setInterval(() => {
    running = running.then(decideAll)
  }, intervalMs)
  return {
    decisions,
    async stop() {
      clearInterval(timer)
      await running
      await decideAll()
    },
  }
}
