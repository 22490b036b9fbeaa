import type { Clock } from '../shared/clock.js'
import type { AgentDirectory } from './agent-directory.js'
import { BindingStore } from './binding-store.js'
import { ConversationStore } from './conversation-store.js'
import { NonceManager } from './nonce-manager.js'
import type { PaymentsLedger } from './payments-ledger.js'
import { ReplayCache } from './replay-cache.js'
import { TicketStore } from './ticket-store.js'
import { TokenStore } from './token-store.js'

export interface RalioSettings {
  /** 'pending-approval' emulates an old server: registration answers 202 `{poll_token}`. */
  registrationMode: 'active' | 'pending-approval'
  /** 'wrong' returns a fingerprint that is not the key's; 'omitted' leaves it out. */
  fingerprintMode: 'correct' | 'wrong' | 'omitted'
  /** Pause between streamed events. */
  streamDelayMs: number
  /** Interval of `: keep-alive` comment lines on a stream that is still open. */
  keepAliveIntervalMs: number
}

/** A chat message the Ralio sandbox received, as `stats()` reports it. */
export interface ChatRecord {
  message: string
  conversationId: string
  agentId: string
  clientId: string
  stream: boolean
  /** ISO 8601, sandbox clock. */
  receivedAt: string
}

export interface RalioCounters {
  registrations: number
  tokenRequests: number
  tokensIssued: number
  refreshes: number
  resourceRequests: number
  chats: ChatRecord[]
}

/** Everything the Ralio sandbox remembers, shared by its routes and its handle. */
export class RalioState {
  readonly tickets: TicketStore
  readonly bindings = new BindingStore()
  readonly tokens: TokenStore
  readonly conversations = new ConversationStore()
  readonly nonces: NonceManager
  /** Client assertion `jti`s, per client. */
  readonly assertionReplays: ReplayCache
  /** DPoP proof `jti`s, per key. */
  readonly proofReplays: ReplayCache
  readonly stats: RalioCounters = {
    registrations: 0,
    tokenRequests: 0,
    tokensIssued: 0,
    refreshes: 0,
    resourceRequests: 0,
    chats: [],
  }

  constructor(
    readonly clock: Clock,
    readonly agents: AgentDirectory,
    readonly ledger: PaymentsLedger,
    readonly settings: RalioSettings,
  ) {
    this.tickets = new TicketStore(clock, agents)
    this.tokens = new TokenStore(clock)
    this.nonces = new NonceManager(clock)
    this.assertionReplays = new ReplayCache(clock)
    this.proofReplays = new ReplayCache(clock)
  }
}
