import type { ToolOutcome } from './agent-tool.js'

const DEFAULT_CAPACITY = 1000

/**
 * The outcomes of the last tool calls by (session and) call id, so a call the framework sends again (a
 * retry after a timeout, a replayed step) is answered from the first one instead of running
 * twice. Bounded: the oldest entries go first. A call that failed before anything happened,
 * or was aborted, is forgotten so it can be tried again.
 */
export class RecentCalls<Outcome extends ToolOutcome> {
  readonly #calls = new Map<string, Promise<Outcome>>()
  readonly #capacity: number

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity
  }

  once(toolCallId: string, run: () => Promise<Outcome>): Promise<Outcome> {
    const existing = this.#calls.get(toolCallId)
    // The first try may still be running when the host retries; if it then fails or is cancelled
    // (the host gave up on it), the retry runs on its own instead of inheriting that failure.
    if (existing !== undefined) return existing.catch(() => this.once(toolCallId, run))
    const outcome = run()
    this.#calls.set(toolCallId, outcome)
    if (this.#calls.size > this.#capacity) this.#calls.delete(this.#calls.keys().next().value!)
    const forget = () => {
      if (this.#calls.get(toolCallId) === outcome) this.#calls.delete(toolCallId)
    }
    outcome.then((result) => {
      if (retryable(result)) forget()
    }, forget)
    return outcome
  }
}

/**
 * Nothing happened yet: invalid input, a failure before the tool's own work ran, or a call
 * still waiting for a person (sent again, it finds its approval and reports where it stands now).
 */
function retryable(outcome: ToolOutcome): boolean {
  return (
    outcome.status === 'invalid_input' ||
    outcome.status === 'pending_approval' ||
    (outcome.status === 'failed' && outcome.receiptId === undefined)
  )
}
