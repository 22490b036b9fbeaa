import { describe, expect, it, vi } from 'vitest'
import { ActionDeniedError } from '../src/errors.js'
import { guard } from '../src/guard.js'
import type { ActionResult } from '../src/schemas/action-result.js'

const pollApproval = vi.fn()

describe('guard decisions', () => {
  it('refuses a missing function before asking the gateway', async () => {
    const requestAction = vi.fn()
    const missing = undefined as unknown as () => void
    await expect(
      guard({ requestAction, pollApproval }, { action: 'a', resource: 'r' }, missing),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    })
    expect(requestAction).not.toHaveBeenCalled()
  })

  it('fails closed on a decision this client does not know', async () => {
    const requestAction = async (): Promise<ActionResult> => ({
      decision: 'escalate_to_legal',
      receiptId: 'rec_1',
      idempotencyKey: 'k',
      instanceId: 'run-1',
    })
    const run = vi.fn()
    const error = await guard({ requestAction, pollApproval }, { action: 'a', resource: 'r' }, run).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ActionDeniedError)
    expect(error).toMatchObject({ decision: 'escalate_to_legal', receiptId: 'rec_1' })
    expect(run).not.toHaveBeenCalled()
    expect(pollApproval).not.toHaveBeenCalled()
  })

  it('fails closed on an approval status this client does not know', async () => {
    const requestAction = async (): Promise<ActionResult> => ({
      decision: 'pending_approval',
      receiptId: 'rec_1',
      approvalId: 'apr_1',
      idempotencyKey: 'k',
      instanceId: 'run-1',
    })
    const poll = vi.fn(async () => ({
      approvalId: 'apr_1',
      status: 'withdrawn',
      decidedBy: null,
      decidedAt: null,
    }))
    const run = vi.fn()
    await expect(
      guard({ requestAction, pollApproval: poll }, { action: 'a', resource: 'r', timeoutMs: 5 }, run),
    ).rejects.toMatchObject({ name: 'ActionDeniedError', decision: 'withdrawn', approvalId: 'apr_1' })
    expect(poll).toHaveBeenCalledWith(expect.objectContaining({ approvalId: 'apr_1', timeoutMs: 5 }))
    expect(run).not.toHaveBeenCalled()
  })
})
