import type { ToolOutcome } from './agent-tool.js'
import { AgentToolsError } from './errors.js'

/**
 * A guarded tool call a person has yet to approve, as the approval check tool needs it to
 * finish the call anywhere: in this process, after a restart, or on another replica. It holds
 * what the gateway authorised and nothing the process holds secret (no credential, token or
 * proof): the validated input, the tool, the idempotency key, the approval and the session.
 */
export interface PendingCall {
  approvalId: string
  toolName: string
  /** The input the gateway authorised, as validated by the tool's schema. */
  input: unknown
  idempotencyKey: string
  /** The session that made the call (an MCP session, or the agent run). */
  sessionId: string
  toolCallId: string
  /** The receipt of the `pending_approval` decision. */
  receiptId: string
  /** The policy's reason for asking a person, when it gave one. */
  reason?: string
  /** Epoch milliseconds. */
  createdAt: number
  /** Set once the call reached a final status: every later check answers with it. */
  outcome?: ToolOutcome
}

/**
 * Where pending calls live between the `pending_approval` answer and the check that finishes
 * them. Share one store between replicas (the Redis store) and any of them can finish a call
 * another started; the in-memory store serves one process.
 */
export interface PendingCallStore {
  /** Saves (or replaces) the call; it is forgotten `ttlMs` later. */
  put(call: PendingCall, ttlMs: number): Promise<void>
  /** The call waiting on `approvalId`, or undefined when there is none (or its TTL passed). */
  get(approvalId: string): Promise<PendingCall | undefined>
  /**
   * True for exactly one caller per approval, across every process sharing the store: only
   * that caller executes the approved call. The claim lasts `ttlMs`.
   */
  claim(approvalId: string, ttlMs: number): Promise<boolean>
  /** Forgets the call and its claim. */
  delete(approvalId: string): Promise<void>
  /** Releases connections; the in-memory store has none. */
  close?(): Promise<void>
}

/** The store could not be reached or answered nonsense: nothing was executed because of it. */
export class PendingCallStoreError extends AgentToolsError {
  static override readonly brand: symbol = Symbol.for('x.error.agent-tools.PendingCallStoreError')
}

/**
 * How long a pending call is kept: the gateway does not report when an approval expires, so
 * the default is a day, the time a gateway keeps an idempotency key (after it, retrying the
 * same call asks anew anyway).
 */
export const DEFAULT_PENDING_CALL_TTL_MS = 24 * 60 * 60 * 1000

const DEFAULT_CAPACITY = 10_000

/**
 * The default store: this process only, bounded (the oldest call goes first past
 * `capacity`, default 10 000), each call forgotten after its TTL.
 */
export class MemoryPendingCallStore implements PendingCallStore {
  readonly #calls = new Map<string, { call: PendingCall; expiresAt: number }>()
  readonly #claims = new Map<string, number>()
  readonly #capacity: number

  constructor(options: { capacity?: number } = {}) {
    this.#capacity = options.capacity ?? DEFAULT_CAPACITY
  }

  async put(call: PendingCall, ttlMs: number): Promise<void> {
    this.#calls.delete(call.approvalId)
    this.#calls.set(call.approvalId, { call: structuredClone(call), expiresAt: Date.now() + ttlMs })
    if (this.#calls.size > this.#capacity) {
      const oldest = this.#calls.keys().next().value!
      this.#calls.delete(oldest)
      this.#claims.delete(oldest)
    }
  }

  /** The call waiting on `approvalId`; one past its TTL is forgotten on the way. */
  async get(approvalId: string): Promise<PendingCall | undefined> {
    const entry = this.#calls.get(approvalId)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= Date.now()) {
      await this.delete(approvalId)
      return undefined
    }
    return structuredClone(entry.call)
  }

  async claim(approvalId: string, ttlMs: number): Promise<boolean> {
    const held = this.#claims.get(approvalId)
    if (held !== undefined && held > Date.now()) return false
    this.#claims.set(approvalId, Date.now() + ttlMs)
    return true
  }

  async delete(approvalId: string): Promise<void> {
    this.#calls.delete(approvalId)
    this.#claims.delete(approvalId)
  }

  /** How many calls it holds (expired ones included until they are read). */
  get size(): number {
    return this.#calls.size
  }
}
