import { UserAbortError } from '@x/core'
import { RelyntClient } from '@x/relynt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  AgentToolsError,
  approvalCheckTool,
  type GuardedExecuteContext,
  guardedTool,
  type ToolProgress,
} from '../src/index.js'
import { type Services, startServices } from './support/services.js'

let services: Services
beforeAll(async () => {
  services = await startServices()
})
afterAll(() => services?.close())

/** A guarded "pay" tool whose execute only records what it was asked to do. */
function recordingTool(
  options: { pending?: 'wait' | 'defer'; approvalTimeoutMs?: number; relynt?: RelyntClient } = {},
) {
  const executed: Array<{ input: { payee: string; amount: number }; context: GuardedExecuteContext }> = []
  const tool = guardedTool(options.relynt ?? services.relyntClient, {
    name: 'pay_supplier',
    description: 'Pay a supplier.',
    input: z.object({ payee: z.string(), amount: z.number() }),
    action: 'ralio.pay',
    resource: (input) => `ralio:payee:${input.payee}`,
    payload: (input) => ({ amount: input.amount }),
    pending: options.pending,
    approvalTimeoutMs: options.approvalTimeoutMs,
    execute(input, context) {
      executed.push({ input, context })
      return { paid: input.amount }
    },
  })
  return { tool, executed }
}

describe('guardedTool', () => {
  it('runs execute when the policy allows and returns the result with the receipt id', async () => {
    const { tool, executed } = recordingTool()
    const outcome = await tool.run({ payee: 'acme-stationery', amount: 120 }, { toolCallId: 'call-allow' })
    expect(outcome).toMatchObject({ status: 'allowed', result: { paid: 120 } })
    expect(executed).toHaveLength(1)
    expect(outcome.status === 'allowed' && outcome.receiptId).toBe(
      executed[0]!.context.authorization!.receiptId,
    )
  })

  it('puts the tool call id into the payload the receipt covers', async () => {
    const { tool } = recordingTool()
    const outcome = await tool.run({ payee: 'acme-stationery', amount: 10 }, { toolCallId: 'call-correlate' })
    if (outcome.status !== 'allowed') throw new Error(`expected allowed, got ${outcome.status}`)
    const matches = await services.relyntClient.receipts.verifyRequestHash(outcome.receiptId, {
      action: 'ralio.pay',
      resource: 'ralio:payee:acme-stationery',
      payload: { amount: 10, tool_call_id: 'call-correlate' },
    })
    expect(matches).toBe(true)
  })

  it('returns denied with the reason and receipt, and never runs execute', async () => {
    const { tool, executed } = recordingTool()
    const outcome = await tool.run({ payee: 'globex-holdings', amount: 5 })
    expect(outcome).toMatchObject({ status: 'denied', reason: expect.stringContaining('deny rule') })
    expect(outcome.status === 'denied' && outcome.receiptId).toMatch(/./)
    expect(executed).toHaveLength(0)
  })

  it('waits for a person, reporting progress, and runs once they approve', async () => {
    const { tool, executed } = recordingTool()
    const progress: ToolProgress[] = []
    const outcome = await tool.run(
      { payee: 'acme-stationery', amount: 4_800 },
      {
        toolCallId: 'call-wait',
        onProgress: async (report) => {
          progress.push(report)
          if (report.attempt === 0) await services.approve(report.approvalId, 'slack:U42')
        },
      },
    )
    expect(outcome).toMatchObject({ status: 'allowed', result: { paid: 4_800 }, approvedBy: 'slack:U42' })
    expect(progress[0]).toMatchObject({ kind: 'waiting_for_approval', attempt: 0 })
    expect(outcome.status === 'allowed' && outcome.approvalId).toBe(progress[0]!.approvalId)
    expect(executed).toHaveLength(1)
  })

  it('returns denied when the person denies, and never runs execute', async () => {
    const { tool, executed } = recordingTool()
    const outcome = await tool.run(
      { payee: 'acme-stationery', amount: 2_000 },
      {
        onProgress: (report) =>
          report.attempt === 0 ? services.deny(report.approvalId, 'slack:U7') : undefined,
      },
    )
    expect(outcome).toMatchObject({ status: 'denied', decidedBy: 'slack:U7' })
    expect(executed).toHaveLength(0)
  })

  it('defers: returns pending_approval at once, and the check tool finishes the call once approved', async () => {
    const { tool, executed } = recordingTool({ pending: 'defer' })
    const check = approvalCheckTool([tool])
    const pending = await tool.run({ payee: 'acme-stationery', amount: 3_000 })
    if (pending.status !== 'pending_approval') throw new Error(`expected pending, got ${pending.status}`)
    expect(pending.message).toContain('relynt_check_approval')
    expect(await check.run({ approvalId: pending.approvalId })).toMatchObject({ status: 'pending_approval' })
    expect(executed).toHaveLength(0)

    await services.approve(pending.approvalId)
    const finished = await check.run({ approvalId: pending.approvalId })
    expect(finished).toMatchObject({
      status: 'allowed',
      result: { paid: 3_000 },
      approvalId: pending.approvalId,
    })
    expect(executed.map((call) => call.input)).toEqual([{ payee: 'acme-stationery', amount: 3_000 }])
  })

  it('executes an approved deferred call once however often it is checked', async () => {
    const { tool, executed } = recordingTool({ pending: 'defer' })
    const check = approvalCheckTool([tool])
    const pending = await tool.run({ payee: 'acme-stationery', amount: 3_500 })
    if (pending.status !== 'pending_approval') throw new Error(`expected pending, got ${pending.status}`)
    await services.approve(pending.approvalId)
    const outcomes = await Promise.all([1, 2, 3].map(() => check.run({ approvalId: pending.approvalId })))
    expect(new Set(outcomes.map((outcome) => outcome.status))).toEqual(new Set(['allowed']))
    expect(executed).toHaveLength(1)
  })

  it('answers an approval id the check tool does not know with a failed result', async () => {
    const check = approvalCheckTool([recordingTool().tool])
    expect(await check.run({ approvalId: 'apr_unknown' })).toMatchObject({
      status: 'failed',
      error: { code: 'unknown_approval' },
    })
  })

  it('returns pending_approval when the wait budget runs out, for the check tool to finish later', async () => {
    const { tool, executed } = recordingTool({ approvalTimeoutMs: 0 })
    const outcome = await tool.run({ payee: 'acme-stationery', amount: 1_500 })
    if (outcome.status !== 'pending_approval') throw new Error(`expected pending, got ${outcome.status}`)
    expect(outcome.message).toContain('Still waiting')
    expect(executed).toHaveLength(0)

    await services.approve(outcome.approvalId)
    expect(await approvalCheckTool([tool]).run({ approvalId: outcome.approvalId })).toMatchObject({
      status: 'allowed',
      result: { paid: 1_500 },
    })
    expect(executed).toHaveLength(1)
  })

  it('rejects with UserAbortError when the wait is aborted, and never runs execute', async () => {
    const { tool, executed } = recordingTool()
    const controller = new AbortController()
    const run = tool.run(
      { payee: 'acme-stationery', amount: 1_200 },
      { signal: controller.signal, onProgress: () => controller.abort() },
    )
    await expect(run).rejects.toSatisfy((error) => UserAbortError.isInstance(error))
    expect(executed).toHaveLength(0)
  })

  it('answers a re-sent tool call from the first one without executing again', async () => {
    const { tool, executed } = recordingTool()
    const first = await tool.run({ payee: 'acme-stationery', amount: 50 }, { toolCallId: 'call-resent' })
    const second = await tool.run({ payee: 'acme-stationery', amount: 50 }, { toolCallId: 'call-resent' })
    expect(second).toEqual(first)
    expect(executed).toHaveLength(1)
  })

  it('sends the same idempotency key for the same tool call, so the gateway decides it once', async () => {
    const before = services.relynt.listReceipts().length
    const first = await recordingTool().tool.run(
      { payee: 'acme-stationery', amount: 60 },
      { toolCallId: 'call-key' },
    )
    // A second tool instance has no memory of the first call: only the key can match them.
    const second = await recordingTool().tool.run(
      { payee: 'acme-stationery', amount: 60 },
      { toolCallId: 'call-key' },
    )
    expect(services.relynt.listReceipts().length - before).toBe(1)
    expect(second.status === 'allowed' && second.receiptId).toBe(
      first.status === 'allowed' && first.receiptId,
    )
  })

  it('derives a different key in another agent run, so model call ids that repeat across runs do not collide', async () => {
    const before = services.relynt.listReceipts().length
    await recordingTool().tool.run({ payee: 'acme-stationery', amount: 70 }, { toolCallId: 'call-1' })
    const otherRun = services.newRelyntClient()
    const outcome = await recordingTool({ relynt: otherRun }).tool.run(
      { payee: 'acme-stationery', amount: 75 },
      { toolCallId: 'call-1' },
    )
    otherRun.close()
    expect(outcome.status).toBe('allowed')
    expect(services.relynt.listReceipts().length - before).toBe(2)
  })

  it('answers input that does not match the schema with invalid_input, without asking the gateway', async () => {
    const { tool } = recordingTool()
    const before = services.relynt.listReceipts().length
    const outcome = await tool.run({ payee: 'acme-stationery', amount: 'a lot' })
    expect(outcome).toMatchObject({ status: 'invalid_input', issues: [{ path: 'amount' }] })
    expect(services.relynt.listReceipts().length).toBe(before)
  })

  it('returns failed with the error code when the gateway cannot be reached, and never runs execute', async () => {
    const unreachable = new RelyntClient({
      baseUrl: 'http://127.0.0.1:9',
      agentId: 'agt_x',
      agentSecret: 'secret-not-used',
      maxRetries: 0,
      logger: 'off',
    })
    const { tool, executed } = recordingTool({ relynt: unreachable })
    const outcome = await tool.run({ payee: 'acme-stationery', amount: 1 })
    expect(outcome).toMatchObject({ status: 'failed', error: { code: expect.any(String) } })
    expect(JSON.stringify(outcome)).not.toContain('secret-not-used')
    expect(executed).toHaveLength(0)
  })

  it('returns failed with the receipt when execute throws after the call was allowed', async () => {
    const tool = guardedTool(services.relyntClient, {
      name: 'failing_pay',
      description: 'Fails.',
      input: z.object({ payee: z.string(), amount: z.number() }),
      action: 'ralio.pay',
      resource: (input) => `ralio:payee:${input.payee}`,
      payload: (input) => ({ amount: input.amount }),
      execute() {
        throw new Error('bank offline')
      },
    })
    const outcome = await tool.run({ payee: 'acme-stationery', amount: 1 })
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'execute_failed', message: 'bank offline' },
      receiptId: expect.any(String),
    })
  })

  it('refuses to build without a zod object schema, with an AgentToolsError saying what to pass', () => {
    const build = () =>
      guardedTool(services.relyntClient, {
        name: 'bad',
        description: 'Bad.',
        input: z.string() as never,
        action: 'x',
        resource: () => 'y',
        execute: () => undefined,
      })
    expect(build).toThrow(AgentToolsError)
    expect(build).toThrow(/z\.object/)
  })
})
