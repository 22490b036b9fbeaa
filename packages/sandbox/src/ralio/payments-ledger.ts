import { randomUUID } from 'node:crypto'
import type { Clock } from '../shared/clock.js'
import type { SandboxAgent } from './agent-directory.js'
import { formatMinorUnits, formatMoney } from './money.js'

export type ApprovalStatus = 'auto_approved' | 'pending_user_approval' | 'approved_by_user' | 'rejected'
export type ExecutionStatus = 'pending' | 'completed' | 'failed' | 'cancelled'

export interface PaymentLeg {
  amountMinor: number
  currency: string
  status: 'pending' | 'completed' | 'failed'
  idempotencyKey: string
  creditorAccount: string
  creditorName: string
  debtorAccount: string
  debtorName: string
  reference: string | null
  transactionId: string | null
  executionError: string | null
}

export interface PaymentIntent {
  id: string
  agent: SandboxAgent
  conversationId: string | null
  createdAt: string
  approvalStatus: ApprovalStatus
  executionStatus: ExecutionStatus
  totalMinor: number
  currency: string
  userRequestSummary: string
  decisionReason: string | null
  decidedAt: string | null
  legs: PaymentLeg[]
}

export interface Transaction {
  id: string
  agentId: string
  amountMinor: number
  currency: string
  createdAtMs: number
  creditor: string
  debtor: string
  reference: string | null
  paymentIntentId: string
  failed: boolean
}

export interface ProposePaymentInput {
  agent: SandboxAgent
  conversationId: string | null
  amountMinor: number
  creditorName: string
  reference?: string
  userRequestSummary: string
}

export interface PaymentsLedgerOptions {
  startingBalanceMinor: number
  spendLimitMinor: number
  /** How long a transaction stays `submitted` before it reads `delivered` (sandbox clock). */
  settlementDelayMs: number
}

export class PaymentIntentStateError extends Error {
  override name = 'PaymentIntentStateError'
}

/**
 * Payment intents, the transactions that execute them and each agent's balance.
 * Intents at or below the spend limit are approved automatically; above it they wait
 * for the owner. Balances only move when a leg executes.
 */
export class PaymentsLedger {
  readonly #clock: Clock
  readonly #options: PaymentsLedgerOptions
  readonly #intents: PaymentIntent[] = []
  readonly #transactions: Transaction[] = []
  readonly #balances = new Map<string, number>()
  spendLimitMinor: number

  constructor(clock: Clock, options: PaymentsLedgerOptions) {
    this.#clock = clock
    this.#options = options
    this.spendLimitMinor = options.spendLimitMinor
  }

  balanceMinor(agentId: string): number {
    return this.#balances.get(agentId) ?? this.#options.startingBalanceMinor
  }

  propose(input: ProposePaymentInput): PaymentIntent {
    const { agent } = input
    const needsApproval = input.amountMinor > this.spendLimitMinor
    const now = this.#clock.nowIso()
    const intent: PaymentIntent = {
      id: randomUUID(),
      agent,
      conversationId: input.conversationId,
      createdAt: now,
      approvalStatus: needsApproval ? 'pending_user_approval' : 'auto_approved',
      executionStatus: 'pending',
      totalMinor: input.amountMinor,
      currency: agent.currency,
      userRequestSummary: input.userRequestSummary,
      decisionReason: needsApproval
        ? `above the spend limit of ${formatMoney(this.spendLimitMinor, agent.currency)}; waiting for the owner`
        : `within the spend limit of ${formatMoney(this.spendLimitMinor, agent.currency)}`,
      decidedAt: needsApproval ? null : now,
      legs: [
        {
          amountMinor: input.amountMinor,
          currency: agent.currency,
          status: 'pending',
          idempotencyKey: randomUUID(),
          creditorAccount: creditorAccount(input.creditorName),
          creditorName: input.creditorName,
          debtorAccount: agent.accountNumber,
          debtorName: agent.accountName,
          reference: input.reference ?? null,
          transactionId: null,
          executionError: null,
        },
      ],
    }
    this.#intents.push(intent)
    if (!needsApproval) this.#execute(intent)
    return intent
  }

  get(id: string): PaymentIntent | undefined {
    return this.#intents.find((intent) => intent.id === id)
  }

  approve(id: string): PaymentIntent {
    const intent = this.#pending(id)
    intent.approvalStatus = 'approved_by_user'
    intent.decisionReason = 'approved by the owner'
    intent.decidedAt = this.#clock.nowIso()
    this.#execute(intent)
    return intent
  }

  reject(id: string, reason?: string): PaymentIntent {
    const intent = this.#pending(id)
    intent.approvalStatus = 'rejected'
    intent.executionStatus = 'cancelled'
    intent.decisionReason = reason ? `rejected by the owner: ${reason}` : 'rejected by the owner'
    intent.decidedAt = this.#clock.nowIso()
    for (const leg of intent.legs) {
      leg.status = 'failed'
      leg.executionError = 'the owner rejected this payment'
    }
    return intent
  }

  /** Newest first, optionally for one agent. */
  listIntents(agentId?: string): PaymentIntent[] {
    return this.#intents.filter((intent) => agentId === undefined || intent.agent.id === agentId).reverse()
  }

  /** Newest first, optionally for one agent. */
  listTransactions(agentId?: string): Transaction[] {
    return this.#transactions
      .filter((transaction) => agentId === undefined || transaction.agentId === agentId)
      .reverse()
  }

  transactionStatus(transaction: Transaction): 'submitted' | 'delivered' | 'failed' {
    if (transaction.failed) return 'failed'
    const settled = this.#clock.now() - transaction.createdAtMs >= this.#options.settlementDelayMs
    return settled ? 'delivered' : 'submitted'
  }

  get intentCount(): number {
    return this.#intents.length
  }

  get transactionCount(): number {
    return this.#transactions.length
  }

  #pending(id: string): PaymentIntent {
    const intent = this.get(id)
    if (!intent) throw new PaymentIntentStateError(`no payment intent "${id}"`)
    if (intent.approvalStatus !== 'pending_user_approval') {
      throw new PaymentIntentStateError(
        `payment intent "${id}" is ${intent.approvalStatus}, not pending_user_approval`,
      )
    }
    return intent
  }

  #execute(intent: PaymentIntent): void {
    const agentId = intent.agent.id
    for (const leg of intent.legs) {
      const balance = this.balanceMinor(agentId)
      if (leg.amountMinor > balance) {
        leg.status = 'failed'
        leg.executionError = `insufficient funds: the balance is ${formatMoney(balance, leg.currency)}`
        continue
      }
      this.#balances.set(agentId, balance - leg.amountMinor)
      const transaction: Transaction = {
        id: randomUUID(),
        agentId,
        amountMinor: leg.amountMinor,
        currency: leg.currency,
        createdAtMs: this.#clock.now(),
        creditor: leg.creditorName,
        debtor: leg.debtorName,
        reference: leg.reference,
        paymentIntentId: intent.id,
        failed: false,
      }
      this.#transactions.push(transaction)
      leg.status = 'completed'
      leg.transactionId = transaction.id
    }
    intent.executionStatus = intent.legs.every((leg) => leg.status === 'completed') ? 'completed' : 'failed'
  }

  intentToWire(intent: PaymentIntent): Record<string, unknown> {
    return {
      id: intent.id,
      agent_id: intent.agent.id,
      agent_name: intent.agent.name,
      conversation_id: intent.conversationId,
      created_at: intent.createdAt,
      approval_status: intent.approvalStatus,
      execution_status: intent.executionStatus,
      total_amount: formatMinorUnits(intent.totalMinor),
      currency: intent.currency,
      instruction_count: intent.legs.length,
      instructions: intent.legs.map((leg) => this.#legToWire(leg)),
      user_request_summary: intent.userRequestSummary,
      decision_reason: intent.decisionReason,
      decided_at: intent.decidedAt,
      alignment_outcome: 'aligned',
    }
  }

  transactionToWire(transaction: Transaction): Record<string, unknown> {
    return {
      id: transaction.id,
      amount: formatMinorUnits(transaction.amountMinor),
      currency: transaction.currency,
      date: new Date(transaction.createdAtMs).toISOString(),
      creditor: transaction.creditor,
      debtor: transaction.debtor,
      reference: transaction.reference,
      status: this.transactionStatus(transaction),
      payment_intent_id: transaction.paymentIntentId,
    }
  }

  #legToWire(leg: PaymentLeg): Record<string, unknown> {
    const transaction = leg.transactionId
      ? this.#transactions.find((t) => t.id === leg.transactionId)
      : undefined
    return {
      amount: formatMinorUnits(leg.amountMinor),
      currency: leg.currency,
      status: leg.status,
      idempotency_key: leg.idempotencyKey,
      creditor_account: leg.creditorAccount,
      creditor_name: leg.creditorName,
      debtor_account: leg.debtorAccount,
      debtor_name: leg.debtorName,
      reference: leg.reference,
      transaction_id: leg.transactionId,
      transaction_status: transaction ? this.transactionStatus(transaction) : null,
      execution_error: leg.executionError,
    }
  }
}

/** A stable, fake account identifier per payee name, so repeated payees look consistent. */
function creditorAccount(name: string): string {
  let hash = 0
  for (const character of name.toLowerCase()) hash = (hash * 31 + character.charCodeAt(0)) >>> 0
  return `GB00SBOX${String(hash).padStart(10, '0')}`
}
