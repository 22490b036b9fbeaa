import { type ActionResult, type Approval, type Receipt, RelyntClient } from '@x/relynt'
import { startRelyntSandbox } from '@x/sandbox'

export interface QuickstartOptions {
  /** Where the walkthrough prints; default the console. */
  log?: (line: string) => void
}

export interface QuickstartResult {
  allowed: ActionResult
  denied: ActionResult
  pending: ActionResult
  approval: Approval
  firstTry: ActionResult
  retry: ActionResult
  /** How many times the gateway's connector actually updated the CRM. */
  connectorCalls: number
  receipt: Receipt
  receiptVerifies: boolean
  requestHashMatches: boolean
  receiptsForDeal: number
}

/**
 * The Relynt client in four steps: ask before acting, wait for a person, retry safely,
 * check the receipts. Runs against a local gateway so it needs no account; with a real
 * one, set RELYNT_API_BASE_URL, RELYNT_AGENT_ID and RELYNT_AGENT_SECRET and construct
 * `new RelyntClient()` with no options.
 */
export async function main(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const log = options.log ?? console.log

  // A local gateway whose connector "updates the CRM" when an action is allowed.
  let connectorCalls = 0
  const gateway = await startRelyntSandbox({
    connector: async (call) => {
      connectorCalls += 1
      return { updated: call.resource, fields: Object.keys(call.payload) }
    },
  })
  // The organisation's policy (set in the dashboard for a real gateway): the CRM example
  // from the Relynt docs.
  gateway.setPolicy(
    [
      {
        action: 'update_deal',
        resource_pattern: 'crm:deal:*',
        decision: 'require_approval',
        risk_level: 'high',
        conditions: { require_approval_if_stage: ['closed_won', 'closed_lost'] },
      },
      {
        action: 'update_deal',
        resource_pattern: 'crm:deal:*',
        decision: 'allow',
        risk_level: 'low',
        conditions: { max_amount_change: 10_000, deny_fields: ['owner_id'] },
      },
    ],
    'crm-v1',
  )
  const { agentId, secret } = gateway.createAgent({ name: 'crm-assistant' })
  const client = new RelyntClient({ baseUrl: gateway.url, agentId, agentSecret: secret })

  try {
    // 1. Request: ask before every write. A deny is an answer, not an exception.
    const allowed = await client.requestAction({
      action: 'update_deal',
      resource: 'crm:deal:123',
      payload: { amount: 5200, stage: 'negotiation' },
    })
    log(
      `update amount → ${allowed.decision} (${allowed.reason}); CRM said ${JSON.stringify(allowed.toolResponse)}`,
    )

    const denied = await client.requestAction({
      action: 'update_deal',
      resource: 'crm:deal:123',
      payload: { owner_id: 'someone-else' },
    })
    log(`reassign owner → ${denied.decision} (${denied.reason})`)

    // 2. Approval: closing a deal needs a person. Here the "person" is the sandbox,
    //    approving after a second; for real, someone clicks Approve in Slack.
    const pending = await client.requestAction({
      action: 'update_deal',
      resource: 'crm:deal:123',
      payload: { stage: 'closed_won' },
    })
    log(`close the deal → ${pending.decision}, approval ${pending.approvalId}`)
    const approvalId = pending.approvalId ?? ''
    const approver = setTimeout(() => {
      gateway
        .approve(approvalId, { approver: 'slack:U-SALES-LEAD' })
        .catch((error: unknown) => log(`approver failed: ${error}`))
    }, 1_000)
    const approval = await client.pollApproval({
      approvalId,
      timeoutMs: 30_000,
      onPoll: (status, attempt) => log(`  check ${attempt}: ${status}`),
    })
    clearTimeout(approver)
    log(`approval ${approval.status} by ${approval.decidedBy}; final receipt ${approval.receiptId}`)

    // 3. Idempotent retry after a restart: the same key returns the first answer and runs
    //    nothing twice. Save the key and the instance id before the call; the new process
    //    (a new client, with a new default instance id) resends the same body under both.
    const request = { action: 'update_deal', resource: 'crm:deal:456', payload: { amount: 900 } }
    const journal = { idempotencyKey: crypto.randomUUID(), instanceId: client.instanceId }
    const firstTry = await client.requestAction({ ...request, ...journal })
    const restarted = new RelyntClient({ baseUrl: gateway.url, agentId, agentSecret: secret })
    const retry = await restarted.requestAction({ ...request, ...journal }).finally(() => restarted.close())
    log(`retry with key ${journal.idempotencyKey} → same receipt: ${retry.receiptId === firstTry.receiptId}`)

    // 4. Receipts: signed by the gateway, and hash-checkable against what you sent.
    const receipt = await client.receipts.get(firstTry.receiptId)
    const receiptVerifies = await client.receipts.verify(receipt.receiptId)
    const requestHashMatches = await client.receipts.verifyRequestHash(receipt, request)
    // The list is paginated: `for await` follows the gateway's cursor through every page.
    let receiptsForDeal = 0
    for await (const summary of client.receipts.list({ search: 'crm:deal:123' })) {
      if (summary.resource === 'crm:deal:123') receiptsForDeal += 1
    }
    log(
      `receipt ${receipt.receiptId}: ${receipt.decision}, signature valid: ${receiptVerifies}, request hash matches: ${requestHashMatches}`,
    )
    log(`${receiptsForDeal} receipts mention crm:deal:123`)

    return {
      allowed,
      denied,
      pending,
      approval,
      firstTry,
      retry,
      connectorCalls,
      receipt,
      receiptVerifies,
      requestHashMatches,
      receiptsForDeal,
    }
  } finally {
    client.close()
    await gateway.close()
  }
}
