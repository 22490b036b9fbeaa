import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AuthenticationError } from '@x/relynt'
import { startRelyntSandbox } from '@x/sandbox'
import { describe, expect, it, vi } from 'vitest'
import { describeFailure } from '../src/describe-failure.js'
import { runPipeline } from '../src/pipeline.js'
import { Renderer } from '../src/render.js'
import { demoPolicy, demoPolicyVersion } from '../src/sandboxes.js'

function collectingRenderer() {
  const output = { text: '' }
  const renderer = new Renderer({ stdout: { write: (text) => (output.text += text) }, color: false })
  return { renderer, output }
}

describe('runPipeline against in-process sandboxes', () => {
  it('allows the small payment, pays the large one after a person approves it and refuses the blocked payee', async () => {
    const { renderer, output } = collectingRenderer()
    // A temporary directory of this test's own, so other runs on the machine cannot disturb the count.
    const privateTmp = await mkdtemp(join(tmpdir(), 'guarded-pipeline-test-'))
    vi.stubEnv('TMPDIR', privateTmp)
    let summary: Awaited<ReturnType<typeof runPipeline>>
    try {
      summary = await runPipeline({ renderer, env: {}, pacing: 'fast' })
      // The binding's key lived in a temporary directory, deleted at the end.
      expect(await readdir(privateTmp)).toEqual([])
    } finally {
      vi.unstubAllEnvs()
      await rm(privateTmp, { recursive: true, force: true })
    }
    expect(output.text).toContain('key in a temporary directory')

    expect(
      summary.outcomes.map((outcome) => [outcome.payment.payee, outcome.gatewayDecision, outcome.decision]),
    ).toEqual([
      ['Acme Stationery', 'allow', 'allowed'],
      ['Northwind Logistics', 'pending_approval', 'approved'],
      ['Globex Holdings', 'deny', 'denied'],
    ])
    const [small, large, blocked] = summary.outcomes
    expect(large?.approver).toBe('slack:finance-lead')
    expect(large?.approvalId).toEqual(expect.any(String))
    expect(small?.approver).toBeUndefined()
    expect(blocked?.approver).toBeUndefined()
    expect(blocked?.reason).toMatch(/deny rule/)

    // Every decision left its own receipt, signed by the gateway, over exactly what was sent.
    expect(new Set(summary.outcomes.map((outcome) => outcome.receiptId)).size).toBe(3)
    for (const outcome of summary.outcomes) {
      expect(outcome.receiptVerified).toBe(true)
      expect(outcome.requestHashMatches).toBe(true)
    }

    // The agent was asked to pay only what the gateway authorised: one intent per allowed payment.
    expect(blocked?.conversationId).toBeUndefined()
    expect(summary.paymentIntents).toHaveLength(2)
    for (const outcome of [small, large]) {
      const intents = summary.paymentIntents.filter(
        (intent) => intent.conversationId === outcome?.conversationId,
      )
      expect(intents).toHaveLength(1)
      expect(intents[0]?.totalAmount).toBe(outcome?.payment.amount)
      expect(intents[0]?.approvalStatus).toBe('auto_approved')
      expect(intents[0]?.executionStatus).toBe('completed')
      expect(outcome?.agentReply).toContain(
        `paid £${outcome?.payment.amount === '120.00' ? '120.00' : '4,800.00'}`,
      )
      // Read back from Ralio, not inferred from the authorisation; the intent names its receipt.
      expect(outcome?.paymentStatus).toBe('paid')
      expect(outcome?.paymentIntentId).toBe(intents[0]?.id)
      expect(intents[0]?.instructions[0]?.reference).toContain(`[relynt:${outcome?.receiptId}]`)
      expect(output.text).toMatch(new RegExp(`paid Paid .*\\(payment intent ${intents[0]?.id}`))
    }
    expect(blocked?.paymentStatus).toBeUndefined()
    expect(
      summary.transactions.map((transaction) => [transaction.creditor, transaction.amount]).sort(),
    ).toEqual([
      ['Acme Stationery', '120.00'],
      ['Northwind Logistics', '4800.00'],
    ])
    const intentIds = summary.paymentIntents.map((intent) => intent.id).sort()
    expect(summary.transactions.map((transaction) => transaction.paymentIntentId).sort()).toEqual(intentIds)

    // What a person reading the log sees: the wait, the streamed tool call and the table, without colour codes.
    expect(output.text).toContain('Waiting for the finance lead to approve')
    expect(output.text).toContain('create_payment_intent')
    expect(output.text).toMatch(/Globex Holdings\s+£950\.00\s+denied/)
    expect(output.text).toContain('Every receipt verifies')

    // The payment made around the gateway is the one the reconciliation flags.
    const { matched, unauthorised, notExecuted, mismatched } = summary.reconciliation
    expect(matched.map((line) => line.receiptId).sort()).toEqual([small?.receiptId, large?.receiptId].sort())
    expect(matched.every((line) => line.link === 'reference' && line.reason === 'paid as authorised')).toBe(
      true,
    )
    expect(unauthorised).toEqual([
      expect.objectContaining({
        payee: 'Initech',
        amount: '75.00',
        currency: 'GBP',
        paymentIntentId: expect.any(String),
      }),
    ])
    expect(notExecuted).toEqual([])
    expect(mismatched).toEqual([])
    expect(output.text).toContain('straight through the Ralio SDK, without asking Relynt')
    expect(output.text).toMatch(/UNAUTHORISED\s+Initech\s+75\.00 GBP/)
    expect(output.text).toContain('2 matched, 1 unauthorised, 0 not executed, 0 mismatched')
    expect(output.text).not.toContain('\x1b[')
  })

  it('uses a gateway named by RELYNT_API_BASE_URL with the agent credential from the environment', async () => {
    const gateway = await startRelyntSandbox()
    try {
      gateway.setPolicy(demoPolicy, demoPolicyVersion)
      const agent = gateway.createAgent({ name: 'external' })
      const { renderer } = collectingRenderer()
      const summary = await runPipeline({
        renderer,
        pacing: 'fast',
        env: {
          RELYNT_API_BASE_URL: gateway.url,
          RELYNT_AGENT_ID: agent.agentId,
          RELYNT_AGENT_SECRET: agent.secret,
          SANDBOX_ADMIN_TOKEN: gateway.adminToken,
        },
      })
      expect(summary.relyntUrl).toBe(gateway.url)
      expect(summary.outcomes.map((outcome) => outcome.decision)).toEqual(['allowed', 'approved', 'denied'])
      // The receipts live in the gateway the environment named, not in a sandbox the demo started.
      const receiptIds = gateway.listReceipts().map((receipt) => receipt.receipt_id)
      for (const outcome of summary.outcomes) expect(receiptIds).toContain(outcome.receiptId)
    } finally {
      await gateway.close()
    }
  })

  it('fails with AuthenticationError and advice about the secret when the agent credential is wrong', async () => {
    const gateway = await startRelyntSandbox()
    try {
      const agent = gateway.createAgent()
      const { renderer } = collectingRenderer()
      const run = runPipeline({
        renderer,
        pacing: 'fast',
        env: {
          RELYNT_API_BASE_URL: gateway.url,
          RELYNT_AGENT_ID: agent.agentId,
          RELYNT_AGENT_SECRET: 'not-the-secret',
        },
      })
      const error = await run.catch((caught: unknown) => caught)
      expect(AuthenticationError.isInstance(error)).toBe(true)
      const failure = describeFailure(error)
      expect(failure.title).toMatch(/^AuthenticationError \(/)
      expect(failure.paragraph).toContain('RELYNT_AGENT_SECRET')
      expect(failure.paragraph).not.toContain('not-the-secret')
      expect(failure.stack).toBeUndefined()
    } finally {
      await gateway.close()
    }
  })
})

describe('the demo command', () => {
  const mainPath = fileURLToPath(new URL('../src/main.ts', import.meta.url))

  function runDemo(env: Record<string, string>) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', mainPath], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, RALIO_API_URL: '', RELYNT_API_BASE_URL: '', DEBUG: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
  }

  it('exits 0 with plain lines and the summary table when stdout is not a terminal', async () => {
    const result = await runDemo({ CI: '1' })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Northwind Logistics\s+£4,800\.00\s+approved\s+slack:finance-lead/)
    expect(result.stdout).not.toContain('\x1b[')
  })

  it('exits 1 with one clear paragraph and no stack trace when a service is unreachable', async () => {
    const result = await runDemo({
      RELYNT_API_BASE_URL: 'http://127.0.0.1:9',
      RELYNT_AGENT_ID: 'agent_1',
      RELYNT_AGENT_SECRET: 'secret-value',
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('NetworkError')
    expect(result.stdout).toContain('RELYNT_API_BASE_URL')
    expect(result.stdout).not.toMatch(/^\s+at /m)
    expect(result.stdout).not.toContain('secret-value')
  })
})
