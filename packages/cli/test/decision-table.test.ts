import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalServer } from '../../core/test/support/local-server.js'
import { decisionCases, startDecisionGateway } from '../../relynt/test/support/decision-cases.js'
import { run } from './support/run-command.js'

let gateway: LocalServer
let env: Record<string, string>
beforeAll(async () => {
  gateway = await startDecisionGateway()
  env = { RELYNT_API_BASE_URL: gateway.url, RELYNT_AGENT_ID: 'agent_1', RELYNT_AGENT_SECRET: 'secret_1' }
})
afterAll(() => gateway?.close())

/** What `x-relynt request --wait` exits with for each verdict: the codes `--help` documents. */
const exitCodes = { allowed: 0, denied: 3, failed: 1, invalid_response: 1 } as const

describe.concurrent('x-relynt request --wait over the shared decision cases', () => {
  it.each(decisionCases)('$name', async ({ resource, expected }) => {
    const result = await run(
      'x-relynt',
      ['request', '--action', 'refund', '--resource', resource, '--wait', '--timeout', '10s', '--json'],
      env,
    )
    expect(result.code, result.stderr).toBe(exitCodes[expected.kind])
    if (expected.kind === 'failed') {
      expect(result.stderr).toContain("the gateway's connector then failed")
      expect(result.stderr).toContain(expected.gatewayError.message)
    }
    if (expected.kind === 'allowed' || expected.kind === 'denied') {
      const report = JSON.parse(result.stdout) as { receiptId: string; approval?: { receiptId?: string } }
      expect(report.approval?.receiptId ?? report.receiptId).toBe(expected.receiptId)
    }
  })
})
