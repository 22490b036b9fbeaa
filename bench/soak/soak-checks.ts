import type { RalioSandboxStats, RelyntSandbox } from '@x/sandbox'
import type { ClusterReport, WorkloadReport } from './soak-config.ts'

export interface SoakCheck {
  name: string
  ok: boolean
  detail: string
}

const referencePattern = /for (soak-[\w-]+)\s*$/

/** What the Ralio sandbox saw, judged against what the clients reported. */
export function ralioChecks(report: WorkloadReport, stats: RalioSandboxStats, runId: string): SoakCheck[] {
  const received = tally(
    stats.chats.flatMap((chat) => {
      const reference = referencePattern.exec(chat.message)?.[1]
      return reference?.startsWith(`soak-${runId}-`) ? [reference] : []
    }),
  )
  const intents = tally(
    stats.paymentIntents.flatMap((intent) => (intent.reference ? [intent.reference] : [])),
  )
  const receivedTwice = [...received].filter(([, n]) => n > 1)
  const paidTwice = [...intents].filter(([, n]) => n > 1)
  const succeeded = report.chats.filter((chat) => chat.ok)
  const succeededWithoutIntent = succeeded.filter((chat) => !intents.has(chat.reference))
  const failures = [...report.chats.filter((chat) => !chat.ok), ...report.listFailures]
  const untyped = failures.filter((failure) => !failure.typed)
  return [
    {
      name: 'ralio: every chat received at most once',
      ok: receivedTwice.length === 0,
      detail:
        receivedTwice.length === 0
          ? `${received.size} of ${report.chats.length} chats reached the agent, none twice`
          : `received more than once: ${list(receivedTwice.map(([reference, n]) => `${reference} ×${n}`))}`,
    },
    {
      name: 'ralio: at most one payment intent per reference',
      ok: paidTwice.length === 0,
      detail:
        paidTwice.length === 0
          ? `${intents.size} references paid, none twice`
          : `paid more than once: ${list(paidTwice.map(([reference, n]) => `${reference} ×${n}`))}`,
    },
    {
      name: 'ralio: every chat reported as succeeded has its intent',
      ok: succeededWithoutIntent.length === 0,
      detail:
        succeededWithoutIntent.length === 0
          ? `${succeeded.length} succeeded, all with an intent`
          : `no intent for: ${list(succeededWithoutIntent.map((chat) => chat.reference))}`,
    },
    {
      name: 'ralio: every failure is a typed RalioError',
      ok: untyped.length === 0,
      detail:
        untyped.length === 0
          ? `${failures.length} failures, all RalioError`
          : `not a RalioError: ${list(untyped.map((failure) => failure.error ?? '?'))}`,
    },
  ]
}

/** What the Relynt sandbox (and the connector) saw, judged against the clients' reports. */
export function relyntChecks(
  report: WorkloadReport,
  sandbox: RelyntSandbox,
  connectorCalls: Map<string, number>,
): SoakCheck[] {
  const receipts = sandbox.listReceipts()
  // A call's own receipt; an approval's final receipt (allow / deny / error) comes later and
  // carries the same approval_id.
  const callReceipts = receipts.filter(
    (receipt) => receipt.approval_id === undefined || receipt.decision === 'pending_approval',
  )
  const finalReceipts = tally(
    receipts.flatMap((receipt) =>
      receipt.approval_id !== undefined && receipt.decision !== 'pending_approval'
        ? [receipt.approval_id]
        : [],
    ),
  )
  const receiptsByKey = new Map<string, string[]>()
  for (const receipt of callReceipts) {
    const key = receipt.idempotency_key ?? '(none)'
    receiptsByKey.set(key, [...(receiptsByKey.get(key) ?? []), receipt.receipt_id])
  }
  const keys = new Set(report.actions.map((action) => action.idempotencyKey))
  const wrongReceipts = report.actions.filter((action) => {
    const found = receiptsByKey.get(action.idempotencyKey) ?? []
    return action.ok ? found.length !== 1 || found[0] !== action.receiptId : found.length > 1
  })
  const strayReceipts = [...receiptsByKey.keys()].filter((key) => !keys.has(key))
  const repeatedConnector = [...connectorCalls].filter(([, n]) => n > 1)
  const allowedWithoutConnector = report.actions.filter(
    (action) =>
      action.ok &&
      (action.decision === 'allow' || action.approvalStatus === 'approved') &&
      connectorCalls.get(action.idempotencyKey) !== 1,
  )
  const pendingCalls = report.actions.filter((action) => action.decision === 'pending_approval')
  const notTerminal = pendingCalls.filter(
    (action) => !['approved', 'denied', 'expired'].includes(action.approvalStatus ?? ''),
  )
  const stillPending = sandbox.listApprovals({ status: 'pending' })
  const finalTwice = [...finalReceipts].filter(([, n]) => n > 1)
  const failures = report.actions.filter((action) => !action.ok)
  const untyped = failures.filter((action) => !action.typed)
  return [
    {
      name: 'relynt: exactly one receipt per logical call',
      ok: wrongReceipts.length === 0 && strayReceipts.length === 0 && finalTwice.length === 0,
      detail:
        wrongReceipts.length + strayReceipts.length + finalTwice.length === 0
          ? `${report.actions.length} calls, ${callReceipts.length} call receipts, ${finalReceipts.size} approval receipts`
          : [
              wrongReceipts.length > 0
                ? `calls with a wrong receipt count: ${list(wrongReceipts.map((action) => `${action.idempotencyKey} (${(receiptsByKey.get(action.idempotencyKey) ?? []).length})`))}`
                : '',
              strayReceipts.length > 0 ? `receipts for unknown keys: ${list(strayReceipts)}` : '',
              finalTwice.length > 0
                ? `approvals with two final receipts: ${list(finalTwice.map(([id]) => id))}`
                : '',
            ]
              .filter(Boolean)
              .join('; '),
    },
    {
      name: 'relynt: idempotency held (one connector call per key)',
      ok: repeatedConnector.length === 0 && allowedWithoutConnector.length === 0,
      detail:
        repeatedConnector.length + allowedWithoutConnector.length === 0
          ? `${connectorCalls.size} keys ran the connector, each once`
          : [
              repeatedConnector.length > 0
                ? `connector ran more than once for: ${list(repeatedConnector.map(([key, n]) => `${key} ×${n}`))}`
                : '',
              allowedWithoutConnector.length > 0
                ? `allowed without exactly one connector call: ${list(allowedWithoutConnector.map((action) => action.idempotencyKey))}`
                : '',
            ]
              .filter(Boolean)
              .join('; '),
    },
    {
      name: 'relynt: every approval reaches a terminal state',
      ok: notTerminal.length === 0 && stillPending.length === 0,
      detail:
        notTerminal.length + stillPending.length === 0
          ? `${pendingCalls.length} pending calls, all decided and seen decided by their client`
          : `not seen terminal: ${list(notTerminal.map((action) => `${action.idempotencyKey} (${action.error ?? action.approvalStatus})`))}; still pending in the sandbox: ${stillPending.length}`,
    },
    {
      name: 'relynt: every failure is a typed RelyntError',
      ok: untyped.length === 0,
      detail:
        untyped.length === 0
          ? `${failures.length} failures, all RelyntError`
          : `not a RelyntError: ${list(untyped.map((action) => action.error ?? '?'))}`,
    },
  ]
}

function tally(values: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}

function list(values: string[]): string {
  return values.length <= 5
    ? values.join(', ')
    : `${values.slice(0, 5).join(', ')} … (${values.length} in all)`
}

/** N processes on one folder: each keeps its own token family, so none is ever revoked. */
export function clusterChecks(reports: (ClusterReport | undefined)[], stats: RalioSandboxStats): SoakCheck[] {
  const finished = reports.filter((report): report is ClusterReport => report !== undefined)
  const requests = finished.reduce((sum, report) => sum + report.requests, 0)
  const failures = finished.flatMap((report) => report.failures)
  const refused = failures.filter((failure) => failure.statusCode === 401 || failure.statusCode === 403)
  const untyped = failures.filter((failure) => !failure.typed)
  return [
    {
      name: 'ralio cluster: every process on the shared folder finished',
      ok: finished.length === reports.length,
      detail: `${finished.length} of ${reports.length} processes reported, ${requests} requests`,
    },
    {
      name: 'ralio cluster: every request authorised',
      ok: refused.length === 0 && untyped.length === 0,
      detail:
        refused.length + untyped.length === 0
          ? `${requests} requests, none refused (${failures.length} transient failures under faults, all RalioError)`
          : `refused: ${list(refused.map((failure) => `${failure.error}(${failure.code})`))}; untyped: ${list(untyped.map((failure) => failure.error))}`,
    },
    {
      name: 'ralio: no token family revoked',
      ok: stats.familyRevocations === 0,
      detail: `${stats.refreshes} refreshes, ${stats.familyRevocations} family revocations`,
    },
  ]
}
