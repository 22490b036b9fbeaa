import type { FailedOutcome, ToolOutcome } from './agent-tool.js'
import type { PendingCall, PendingCallStore } from './pending-call-store.js'
import { CHECK_APPROVAL_TOOL_NAME } from './verdict-outcome.js'

/**
 * The pending calls of the guarded tools over one store: records them, finds them again for
 * the approval check tool, and finishes each at most once across every process sharing the
 * store (the store's claim), remembering the final outcome for anyone who asks again.
 */
export class PendingCalls {
  /** Finishes running in this process, so a second ask here waits for the first instead of being turned away. */
  readonly #finishing = new Map<string, Promise<ToolOutcome>>()

  constructor(
    readonly store: PendingCallStore,
    readonly ttlMs: number,
  ) {}

  record(call: PendingCall): Promise<void> {
    return this.store.put(call, this.ttlMs)
  }

  /** The call waiting on `approvalId`, when it belongs to `toolName`. */
  async find(approvalId: string, toolName: string): Promise<PendingCall | undefined> {
    const call = await this.store.get(approvalId)
    return call?.toolName === toolName ? call : undefined
  }

  /**
   * Runs `settle` (execute an approved call, or report a denial) only if this caller wins the
   * claim on the approval; everyone else gets the outcome the winner recorded.
   */
  finish(call: PendingCall, settle: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
    if (call.outcome !== undefined) return Promise.resolve(call.outcome)
    const running = this.#finishing.get(call.approvalId)
    if (running !== undefined) return running
    const finishing = this.#finishOnce(call, settle)
    this.#finishing.set(call.approvalId, finishing)
    const forget = () => this.#finishing.delete(call.approvalId)
    finishing.then(forget, forget)
    return finishing
  }

  async #finishOnce(call: PendingCall, settle: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
    if (!(await this.store.claim(call.approvalId, this.ttlMs))) {
      const latest = await this.store.get(call.approvalId)
      return latest?.outcome ?? beingFinished(call.approvalId)
    }
    let outcome: ToolOutcome
    try {
      outcome = await settle()
    } catch (error) {
      // Cancelled while executing: it may or may not have happened, and it must not run again.
      await this.store.put({ ...call, outcome: interrupted(call) }, this.ttlMs).catch(() => {})
      throw error
    }
    // What was done is reported even if the store cannot keep it; later checks then say it is being finished.
    await this.store.put({ ...call, outcome }, this.ttlMs).catch(() => {})
    return outcome
  }
}

function beingFinished(approvalId: string): FailedOutcome {
  return {
    status: 'failed',
    error: {
      code: 'approval_being_finished',
      message:
        `Approval ${approvalId} is being carried out by another request right now (or that request was ` +
        'interrupted); it will not run twice. Call ' +
        `${CHECK_APPROVAL_TOOL_NAME} with { "approvalId": "${approvalId}" } again in about 10 seconds for its result.`,
    },
  }
}

function interrupted(call: PendingCall): FailedOutcome {
  return {
    status: 'failed',
    receiptId: call.receiptId,
    error: {
      code: 'interrupted',
      message:
        `The approved call was cancelled while it was being carried out: it may or may not have taken ` +
        `effect, and it will not be run again. Check what happened (e.g. list the payment intents) before asking anew.`,
    },
  }
}
