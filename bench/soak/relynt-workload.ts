import { randomUUID } from 'node:crypto'
import { RelyntClient, RelyntError } from '@x/relynt'
import type { ActionOutcome, SoakConfig } from './soak-config.ts'

export interface RelyntWorkload {
  /** Runs `count` logical calls over every client; pending ones wait for their approval. */
  run(count: number): Promise<ActionOutcome[]>
  close(): void
}

/**
 * Supplier payments through the gateway: most are within the policy's limit (allow), a
 * few are above it (pending approval, decided by the soak's approver) and a few go to a
 * blocked payee (deny). Each logical call has one idempotency key of our own, so the
 * checks can find its receipts and connector calls.
 */
export function relyntWorkload(config: SoakConfig['relynt']): RelyntWorkload {
  const clients = Array.from(
    { length: config.clients },
    () => new RelyntClient({ baseUrl: config.baseUrl, agentId: config.agentId, agentSecret: config.secret }),
  )
  return {
    async run(count) {
      const outcomes: ActionOutcome[] = []
      let next = 0
      await Promise.all(
        clients.map(async (client) => {
          while (next < count) {
            next++
            outcomes.push(await call(client))
          }
        }),
      )
      return outcomes
    },
    close() {
      for (const client of clients) client.close()
    },
  }

  async function call(client: RelyntClient): Promise<ActionOutcome> {
    const idempotencyKey = randomUUID()
    const dice = Math.random()
    const needsApproval = dice < config.approvalShare
    const denied = !needsApproval && dice < config.approvalShare + config.denyShare
    const request = {
      action: 'pay_supplier',
      resource: denied ? 'payment:supplier:blocked-vendor' : 'payment:supplier:acme-corp',
      payload: { amount: needsApproval ? 5000 : 120, invoice: idempotencyKey.slice(0, 8) },
      idempotencyKey,
    }
    const outcome: ActionOutcome = { idempotencyKey, ok: false }
    try {
      const result = await client.requestAction(request)
      outcome.decision = result.decision
      outcome.receiptId = result.receiptId
      if (result.decision === 'pending_approval') {
        if (result.approvalId === undefined) throw new Error('pending_approval without an approvalId')
        const approval = await client.pollApproval({ approvalId: result.approvalId, timeoutMs: 120_000 })
        outcome.approvalStatus = approval.status
      }
      outcome.ok = true
    } catch (error) {
      outcome.typed = RelyntError.isInstance(error)
      outcome.error = error instanceof Error ? error.name : typeof error
      const code = (error as { code?: unknown } | undefined)?.code
      if (typeof code === 'string') outcome.code = code
    }
    return outcome
  }
}
