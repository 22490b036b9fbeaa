import { createLogger, type Logger, type LogLevel } from '@x/core/internal'
import type { RalioClient } from '@x/ralio'
import { AgentToolsError } from '../errors.js'
import type { GuardClient } from '../guarded-tool.js'
import type { PendingCallStore } from '../pending-call-store.js'

/** What the Ralio tools need of a client (a `RalioClient` has it all). */
export interface RalioToolsClient {
  readonly chat: Pick<RalioClient['chat'], 'send'>
  readonly agents: Pick<RalioClient['agents'], 'pinned'>
  readonly transactions: Pick<RalioClient['transactions'], 'list'>
  readonly paymentIntents: Pick<RalioClient['paymentIntents'], 'list'>
}

/** What the Ralio tools are built over: the Ralio client, and the Relynt client that authorises them. */
export interface RalioToolsOptions {
  ralio: RalioToolsClient
  /** Authorises every payment and chat message. Required unless `unguarded: true`. */
  relynt?: GuardClient
  /**
   * Build the Ralio tools without Relynt: the model alone then decides what to pay. Only for
   * a host that authorises calls itself.
   */
  unguarded?: boolean
  /** The Ralio agent to talk to; default the one the binding is pinned to (looked up once). */
  agentId?: string
  /** What a guarded tool does when a person must approve: `'wait'` (default) or `'defer'`. */
  pending?: 'wait' | 'defer'
  /** How long `'wait'` waits for a person. Default 40 000, inside an MCP client's 60 s timeout. */
  approvalTimeoutMs?: number
  /** Where calls left pending are kept (default in memory); share a Redis store between replicas. */
  pendingCalls?: PendingCallStore
  /** How long a pending call is kept. Default 24 h. */
  pendingCallTtlMs?: number
  /**
   * Where a payment that differs from its authorisation (or was made outside `ralio_pay`) is
   * logged, at `error` level: a level for the console (default `'error'`), `'off'`, or your
   * own logger (pino, winston…).
   */
  logger?: Logger | LogLevel
}

/** The logger the Ralio tools report unauthorised effects to (error level on the console by default). */
export function toolsLogger(options: Pick<RalioToolsOptions, 'logger'>): Logger {
  return createLogger(options.logger, 'agent-tools', 'error')
}

/** The Relynt client the Ralio tools are guarded by, or undefined when the caller explicitly opted out. */
export function guardOf(options: RalioToolsOptions, toolName: string): GuardClient | undefined {
  if (typeof options?.ralio?.chat?.send !== 'function') {
    throw new AgentToolsError(`${toolName} needs a RalioClient: pass { ralio: new RalioClient(), relynt }.`, {
      code: 'invalid_argument',
    })
  }
  if (options.relynt !== undefined) return options.relynt
  if (options.unguarded === true) return undefined
  throw new AgentToolsError(
    `${toolName} moves money, so every call must be authorised: pass { relynt: new RelyntClient() }. ` +
      'To let the model act without a policy check, pass { unguarded: true } explicitly.',
    { code: 'unguarded_tools' },
  )
}

/** The agent the tools talk to: the one given, or the one the binding is pinned to (Ralio looks it up once). */
export function agentIdResolver(options: RalioToolsOptions): (signal?: AbortSignal) => Promise<string> {
  const { agentId } = options
  if (agentId !== undefined) return async () => agentId
  return async (signal) => (await options.ralio.agents.pinned({ signal })).id
}
