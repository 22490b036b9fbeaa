import { randomUUID } from 'node:crypto'

/** An agent as `GET /api/agents` shows it, plus the account it pays from. */
export interface SandboxAgent {
  id: string
  name: string
  agentNumber: string
  bankingProvider: string
  createdAt: string
  /** ISO 4217 code of the agent's account. */
  currency: string
  /** Name and account identifier used as the debtor on its payments. */
  accountName: string
  accountNumber: string
}

/** An agent the Ralio sandbox starts with; the id is generated when not given, the currency defaults to GBP. */
export interface SandboxAgentInput {
  id?: string
  name: string
  currency?: string
}

/** The agents the sandbox knows; a binding is pinned to exactly one of them. */
export class AgentDirectory {
  readonly #agents = new Map<string, SandboxAgent>()

  constructor(inputs: SandboxAgentInput[], createdAt: string) {
    if (inputs.length === 0) throw new TypeError('the sandbox needs at least one agent')
    for (const [index, input] of inputs.entries()) {
      const id = input.id ?? randomUUID()
      if (this.#agents.has(id)) throw new TypeError(`duplicate agent id "${id}"`)
      const agentNumber = `AG-${String(1001 + index)}`
      this.#agents.set(id, {
        id,
        name: input.name,
        agentNumber,
        bankingProvider: 'ralio-sandbox-bank',
        createdAt,
        currency: input.currency ?? 'GBP',
        accountName: `${input.name} account`,
        accountNumber: `SANDBOX-${agentNumber}`,
      })
    }
  }

  get(id: string): SandboxAgent | undefined {
    return this.#agents.get(id)
  }

  list(): SandboxAgent[] {
    return [...this.#agents.values()]
  }

  get defaultAgent(): SandboxAgent {
    return this.list()[0]!
  }
}
