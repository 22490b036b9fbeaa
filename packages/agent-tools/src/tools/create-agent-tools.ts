import type { AgentTool } from '../agent-tool.js'
import { approvalCheckTool } from '../approval-check-tool.js'
import { AgentToolsError } from '../errors.js'
import type { GuardClient, GuardedTool } from '../guarded-tool.js'
import { MemoryPendingCallStore, type PendingCallStore } from '../pending-call-store.js'
import { ralioChatTool } from './ralio-chat-tool.js'
import type { RalioToolsClient } from './ralio-client-like.js'
import { ralioListPaymentIntentsTool, ralioListTransactionsTool } from './ralio-list-tools.js'
import { ralioPayTool } from './ralio-pay-tool.js'
import { type RelyntToolsClient, relyntSimulateTool, relyntVerifyReceiptTool } from './relynt-tools.js'

/** The clients {@link createAgentTools} builds tools over, and how they wait for approvals. */
export interface AgentToolsOptions {
  /** Adds `ralio_pay`, `ralio_chat`, `ralio_list_transactions`, `ralio_list_payment_intents`. */
  ralio?: RalioToolsClient
  /**
   * Authorises the Ralio tools, and adds `relynt_simulate`, `relynt_verify_receipt` and (for
   * calls left pending) `relynt_check_approval`.
   */
  relynt?: GuardClient & RelyntToolsClient
  /** Build the Ralio tools without Relynt. Only for a host that authorises calls itself. */
  unguarded?: boolean
  /** The Ralio agent to talk to; default the one the binding is pinned to. */
  agentId?: string
  /** When a person must approve: `'wait'` (default, up to `approvalTimeoutMs`) or `'defer'`. */
  pending?: 'wait' | 'defer'
  /**
   * How long `'wait'` waits for a person before answering `pending_approval`. Default 40 000:
   * inside the 60 s an MCP client gives a call by default.
   */
  approvalTimeoutMs?: number
  /**
   * Where calls left pending are kept for `relynt_check_approval`. Default: one in-memory store
   * for these tools. Pass a Redis store (`createRedisPendingCallStore`) so every replica
   * sharing it can finish any call.
   */
  pendingCalls?: PendingCallStore
  /** How long a pending call is kept. Default 24 h. */
  pendingCallTtlMs?: number
}

/**
 * Every ready tool the given clients support, in one list for an adapter:
 *
 * ```ts
 * const tools = createAgentTools({ ralio: new RalioClient(), relynt: new RelyntClient() })
 * ```
 */
export function createAgentTools(options: AgentToolsOptions): AgentTool[] {
  const { ralio, relynt } = options ?? {}
  if (ralio === undefined && relynt === undefined) {
    throw new AgentToolsError('createAgentTools needs { ralio } and { relynt } (or at least one of them).', {
      code: 'invalid_argument',
    })
  }
  const tools: AgentTool[] = []
  const guarded: GuardedTool[] = []
  if (ralio !== undefined) {
    const ralioOptions = {
      ...options,
      ralio,
      pendingCalls: options.pendingCalls ?? new MemoryPendingCallStore(),
    }
    const pay = ralioPayTool(ralioOptions)
    const chat = ralioChatTool(ralioOptions)
    tools.push(pay, chat, ralioListTransactionsTool(ralioOptions), ralioListPaymentIntentsTool(ralioOptions))
    for (const tool of [pay, chat]) if ('finishApproval' in tool) guarded.push(tool as GuardedTool)
  }
  if (relynt !== undefined) {
    tools.push(relyntSimulateTool(relynt), relyntVerifyReceiptTool(relynt))
    if (guarded.length > 0) tools.push(approvalCheckTool(guarded))
  }
  return tools
}
