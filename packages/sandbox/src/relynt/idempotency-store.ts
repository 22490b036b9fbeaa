import { RelyntApiError } from './relynt-api-error.js'

/** A finished response, kept as the exact bytes sent so a replay is byte-identical. */
export interface StoredResponse {
  status: number
  body: string
}

interface IdempotencyRecord {
  requestHash: string
  createdAt: number
  /** Settles once the first request finishes; concurrent duplicates wait on it. */
  response: Promise<StoredResponse>
}

export type IdempotencyOutcome =
  | { kind: 'new'; complete: (response: StoredResponse) => void }
  | { kind: 'replay'; response: Promise<StoredResponse> }

/** 24 h, as the spec states for the sandbox. */
export const idempotencyRetentionMs = 24 * 60 * 60 * 1000

/**
 * Idempotency keys, scoped per agent. A key is claimed before any work starts, so a
 * second request with the same key, even one that arrives while the first is still
 * running, waits for and returns the first one's response instead of executing again.
 */
export class IdempotencyStore {
  readonly #records = new Map<string, IdempotencyRecord>()
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  get size(): number {
    this.#sweep()
    return this.#records.size
  }

  /** Claims `key` for this request, or returns the response it must replay; 409 if the body differs. */
  claim(agentId: string, key: string, requestHash: string): IdempotencyOutcome {
    this.#sweep()
    const scopedKey = `${agentId}\u0000${key}`
    const existing = this.#records.get(scopedKey)
    if (existing !== undefined) {
      if (existing.requestHash !== requestHash) {
        throw new RelyntApiError(
          409,
          'conflict',
          'This Idempotency-Key was already used with a different request body; use a new key for a new call',
        )
      }
      return { kind: 'replay', response: existing.response }
    }
    let complete!: (response: StoredResponse) => void
    const response = new Promise<StoredResponse>((resolve) => {
      complete = resolve
    })
    this.#records.set(scopedKey, { requestHash, createdAt: this.#now(), response })
    return { kind: 'new', complete }
  }

  #sweep(): void {
    const cutoff = this.#now() - idempotencyRetentionMs
    for (const [key, record] of this.#records) {
      if (record.createdAt <= cutoff) this.#records.delete(key)
    }
  }
}
