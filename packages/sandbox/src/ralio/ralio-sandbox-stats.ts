import { formatMinorUnits } from './money.js'
import type { ChatRecord, RalioState } from './ralio-state.js'

/** A payment intent as `stats()` reports it. */
export interface RalioPaymentIntentSummary {
  id: string
  /** Who is paid: the creditor name of the intent's payment, exactly as the agent set it up. */
  creditor: string | null
  conversationId: string | null
  /** The payment reference ("for …"), null when the message gave none. */
  reference: string | null
  /** Decimal string, e.g. "500.00". */
  amount: string
  currency: string
  approvalStatus: string
  executionStatus: string
  createdAt: string
}

/** What the sandbox has seen, for tests that check a client's behaviour over many requests. */
export interface RalioSandboxStats {
  registrations: number
  /** Every `POST /oauth/token`, accepted or not. */
  tokenRequests: number
  tokensIssued: number
  /** Successful refresh-token rotations. */
  refreshes: number
  /** Token families revoked because a rotated refresh token was presented again. */
  familyRevocations: number
  /** Requests that reached a DPoP-protected route (before verification). */
  resourceRequests: number
  /** Every chat message the agent received, oldest first. */
  chats: ChatRecord[]
  /** Every payment intent, oldest first. */
  paymentIntents: RalioPaymentIntentSummary[]
  transactions: number
  /** Balance per agent id, decimal strings. */
  balances: Record<string, string>
}

export function collectRalioStats(state: RalioState): RalioSandboxStats {
  return {
    registrations: state.stats.registrations,
    tokenRequests: state.stats.tokenRequests,
    tokensIssued: state.stats.tokensIssued,
    refreshes: state.stats.refreshes,
    familyRevocations: state.tokens.familyRevocations,
    resourceRequests: state.stats.resourceRequests,
    chats: state.stats.chats.map((chat) => ({ ...chat })),
    paymentIntents: state.ledger
      .listIntents()
      .reverse()
      .map((intent) => ({
        id: intent.id,
        creditor: intent.legs[0]?.creditorName ?? null,
        conversationId: intent.conversationId,
        reference: intent.legs[0]?.reference ?? null,
        amount: formatMinorUnits(intent.totalMinor),
        currency: intent.currency,
        approvalStatus: intent.approvalStatus,
        executionStatus: intent.executionStatus,
        createdAt: intent.createdAt,
      })),
    transactions: state.ledger.transactionCount,
    balances: Object.fromEntries(
      state.agents.list().map((agent) => [agent.id, formatMinorUnits(state.ledger.balanceMinor(agent.id))]),
    ),
  }
}

/** The same, snake_case, for `GET /__admin/stats`. */
export function ralioStatsToWire(stats: RalioSandboxStats): Record<string, unknown> {
  return {
    registrations: stats.registrations,
    token_requests: stats.tokenRequests,
    tokens_issued: stats.tokensIssued,
    refreshes: stats.refreshes,
    family_revocations: stats.familyRevocations,
    resource_requests: stats.resourceRequests,
    chats: stats.chats.map((chat) => ({
      message: chat.message,
      conversation_id: chat.conversationId,
      agent_id: chat.agentId,
      client_id: chat.clientId,
      stream: chat.stream,
      received_at: chat.receivedAt,
    })),
    payment_intents: stats.paymentIntents.map((intent) => ({
      id: intent.id,
      creditor: intent.creditor,
      conversation_id: intent.conversationId,
      reference: intent.reference,
      amount: intent.amount,
      currency: intent.currency,
      approval_status: intent.approvalStatus,
      execution_status: intent.executionStatus,
      created_at: intent.createdAt,
    })),
    transactions: stats.transactions,
    balances: stats.balances,
  }
}
