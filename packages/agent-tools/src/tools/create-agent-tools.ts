import type { Logger, LogLevel } from '@x/core/internal'
import type { AgentTool } from '../agent-tool.js'
import { approvalCheckTool } from '../approval-check-tool.js'
import { AgentToolsError } from '../errors.js'
import type { GuardClient, GuardedTool } from '../guarded-tool.js'
import { MemoryPendingCallStore, type PendingCallStore } from '../pending-call-store.js'
import { ralioChatTool } from './ralio-chat-tool.js'
import type { RalioToolsClient, RalioToolsOptions } from './ralio-client-like.js'
import { ralioListPaymentIntentsTool, ralioListTransactionsTool } from './ralio-list-tools.js'
import { ralioPayTool } from './ralio-pay-tool.js'
import { type RelyntToolsClient, relyntSimulateTool, relyntVerifyReceiptTool } from './relynt-tools.js'

/** Every tool {@link createAgentTools} can build, by the name the model calls it. */
export const AGENT_TOOL_NAMES = [
  'ralio_pay',
  'ralio_chat',
  'ralio_list_transactions',
  'ralio_list_payment_intents',
  'relynt_simulate',
  'relynt_verify_receipt',
] as const

/** A tool {@link createAgentTools} can build. */
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number]

/**
 * The tools built when `tools` is not given: all but `ralio_chat`, whose free text can pay
 * without the policy ever seeing a payee or an amount.
 */
export const DEFAULT_AGENT_TOOL_NAMES: readonly AgentToolName[] = AGENT_TOOL_NAMES.filter(
  (name) => name !== 'ralio_chat',
)

/** The tools that change nothing (for a read-only host). */
export const READ_ONLY_AGENT_TOOL_NAMES: readonly AgentToolName[] = [
  'ralio_list_transactions',
  'ralio_list_payment_intents',
  'relynt_simulate',
  'relynt_verify_receipt',
]

/** The clients {@link createAgentTools} builds tools over, and how they wait for approvals. */
export interface AgentToolsOptions {
  /** Adds `ralio_pay`, `ralio_list_transactions`, `ralio_list_payment_intents` (and `ralio_chat` when selected). */
  ralio?: RalioToolsClient
  /**
   * Authorises the Ralio tools, and adds `relynt_simulate`, `relynt_verify_receipt` and (for
   * calls left pending) `relynt_check_approval`.
   */
  relynt?: GuardClient & RelyntToolsClient
  /**
   * Which tools to build, by name; default {@link DEFAULT_AGENT_TOOL_NAMES} (every tool but
   * `ralio_chat`). `relynt_check_approval` comes with any guarded tool selected.
   */
  tools?: readonly AgentToolName[]
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
  /** Where `mismatch` and `unguarded_payment` are logged at error level (default: the console). */
  logger?: Logger | LogLevel
}

const ralioBuilders: Partial<Record<AgentToolName, (options: RalioToolsOptions) => AgentTool>> = {
  ralio_pay: ralioPayTool as (options: RalioToolsOptions) => AgentTool,
  ralio_chat: ralioChatTool as (options: RalioToolsOptions) => AgentTool,
  ralio_list_transactions: ralioListTransactionsTool as (options: RalioToolsOptions) => AgentTool,
  ralio_list_payment_intents: ralioListPaymentIntentsTool as (options: RalioToolsOptions) => AgentTool,
}

/**
 * The ready tools the given clients support, in one list for an adapter:
 *
 * ```ts
 * const tools = createAgentTools({ ralio: new RalioClient(), relynt: new RelyntClient() })
 * const readOnly = createAgentTools({ ralio, relynt, tools: READ_ONLY_AGENT_TOOL_NAMES })
 * ```
 */
export function createAgentTools(options: AgentToolsOptions): AgentTool[] {
  const { ralio, relynt } = options ?? {}
  if (ralio === undefined && relynt === undefined) {
    throw new AgentToolsError('createAgentTools needs { ralio } and { relynt } (or at least one of them).', {
      code: 'invalid_argument',
    })
  }
  const selected = new Set<string>(options.tools ?? DEFAULT_AGENT_TOOL_NAMES)
  const unknown = [...selected].filter((name) => !(AGENT_TOOL_NAMES as readonly string[]).includes(name))
  if (unknown.length > 0) {
    throw new AgentToolsError(
      `createAgentTools: no tool named ${unknown.map((name) => JSON.stringify(name)).join(', ')}; ` +
        `choose among ${AGENT_TOOL_NAMES.join(', ')}.`,
      { code: 'invalid_argument' },
    )
  }
  const tools: AgentTool[] = []
  const guarded: GuardedTool[] = []
  if (ralio !== undefined) {
    const ralioOptions = {
      ...options,
      ralio,
      // One store for every guarded tool, so relynt_check_approval finds any of their calls.
      pendingCalls: options.pendingCalls ?? new MemoryPendingCallStore(),
    }
    for (const [name, build] of Object.entries(ralioBuilders)) {
      if (!selected.has(name)) continue
      const tool = build(ralioOptions)
      tools.push(tool)
      if ('finishApproval' in tool) guarded.push(tool as GuardedTool)
    }
  }
  if (relynt !== undefined) {
    if (selected.has('relynt_simulate')) tools.push(relyntSimulateTool(relynt))
    if (selected.has('relynt_verify_receipt')) tools.push(relyntVerifyReceiptTool(relynt))
    if (guarded.length > 0) tools.push(approvalCheckTool(guarded))
  }
  return tools
}
