import { randomBytes } from 'node:crypto'
import type { Clock } from '../shared/clock.js'
import type { AgentDirectory } from './agent-directory.js'
import { grantableScopes, isGrantableScope } from './scopes.js'

/** Options of `mintTicket()`. */
export interface MintTicketOptions {
  /** Agent the binding will be pinned to; default the sandbox's first agent. */
  agentId?: string
  /** Scopes the registration may request; default every grantable scope. */
  scopeCeiling?: string[]
  /** Lifetime; default 15 minutes. */
  ttlMs?: number
}

/** A one-time registration ticket. */
export interface MintedTicket {
  ticket: string
  /** ISO 8601. */
  expiresAt: string
}

export interface RegistrationTicket {
  ticket: string
  agentId: string
  scopeCeiling: string[]
  expiresAtMs: number
  consumed?: { at: string; byHost: string }
}

const defaultTtlMs = 15 * 60 * 1000

/** One-time registration tickets (`ralio-reg-…`) as the owner mints them in the console. */
export class TicketStore {
  readonly #tickets = new Map<string, RegistrationTicket>()
  readonly #clock: Clock
  readonly #agents: AgentDirectory

  constructor(clock: Clock, agents: AgentDirectory) {
    this.#clock = clock
    this.#agents = agents
  }

  mint(options: MintTicketOptions = {}): MintedTicket {
    const agentId = options.agentId ?? this.#agents.defaultAgent.id
    if (!this.#agents.get(agentId))
      throw new TypeError(`unknown agent "${agentId}"; use one of sandbox.agents`)
    const scopeCeiling = [...new Set(options.scopeCeiling ?? grantableScopes)]
    const ungrantable = scopeCeiling.filter((scope) => !isGrantableScope(scope))
    if (ungrantable.length > 0) {
      throw new TypeError(
        `a ticket can only carry ${grantableScopes.join(', ')}; not ${ungrantable.join(', ')}`,
      )
    }
    const ttlMs = options.ttlMs ?? defaultTtlMs
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new TypeError('ttlMs must be a positive number')
    const ticket = `ralio-reg-${randomBytes(24).toString('base64url')}`
    const expiresAtMs = this.#clock.now() + ttlMs
    this.#tickets.set(ticket, { ticket, agentId, scopeCeiling, expiresAtMs })
    return { ticket, expiresAt: new Date(expiresAtMs).toISOString() }
  }

  get(ticket: string): RegistrationTicket | undefined {
    return this.#tickets.get(ticket)
  }

  isExpired(ticket: RegistrationTicket): boolean {
    return this.#clock.now() >= ticket.expiresAtMs
  }

  consume(ticket: RegistrationTicket, byHost: string): void {
    ticket.consumed = { at: this.#clock.nowIso(), byHost }
  }
}
