import { SdkError, UserAbortError } from '@x/core'
import type { FailedOutcome } from './agent-tool.js'

/**
 * Turns an error thrown while a tool ran into a result the model can read. An abort of the
 * call's own signal is not a failure: it propagates, so the framework sees the cancellation.
 */
export function failedOutcome(
  error: unknown,
  signal: AbortSignal | undefined,
  fallbackCode: string,
  receiptId?: string,
): FailedOutcome {
  if (signal?.aborted || UserAbortError.isInstance(error)) throw error
  const code = SdkError.isInstance(error) ? error.code : fallbackCode
  const message = error instanceof Error ? error.message : String(error)
  const outcome: FailedOutcome = { status: 'failed', error: { code, message } }
  if (receiptId !== undefined) outcome.receiptId = receiptId
  return outcome
}
