import { type RelyntSandbox, startRelyntSandbox } from '@x/sandbox'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { run, start } from './support/run-command.js'

let relynt: RelyntSandbox
let env: Record<string, string>
let secret: string

beforeAll(async () => {
  relynt = await startRelyntSandbox({ connector: 'echo' })
  const agent = relynt.createAgent({ name: 'cli-test' })
  secret = agent.secret
  env = { RELYNT_API_BASE_URL: relynt.url, RELYNT_AGENT_ID: agent.agentId, RELYNT_AGENT_SECRET: agent.secret }
})

afterAll(async () => {
  await relynt?.close()
})

beforeEach(() => {
  relynt.setPolicy(
    [
      { action: 'close_ticket', resource_pattern: 'support:ticket:*', decision: 'allow', risk_level: 'low' },
      { action: 'delete_record', resource_pattern: '*', decision: 'deny', risk_level: 'high' },
      {
        action: 'refund_payment',
        resource_pattern: 'payment:*',
        decision: 'require_approval',
        risk_level: 'high',
      },
    ],
    'cli-tests',
  )
})

/** Approves as a person would, through the sandbox's admin HTTP API (another party, another process's view). */
async function admin(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(`/__admin${path}`, relynt.url), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${relynt.adminToken}` },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  expect(response.ok).toBe(true)
  return response.json()
}

/** The pending approval for `resource`, once the command has asked for it. */
async function pendingApprovalFor(resource: string): Promise<string> {
  for (;;) {
    const { approvals } = (await admin('/approvals?status=pending')) as {
      approvals: { approval_id: string; resource: string }[]
    }
    const found = approvals.find((approval) => approval.resource === resource)
    if (found) return found.approval_id
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const refund = (resource: string) => ['request', '--action', 'refund_payment', '--resource', resource]

describe('x-relynt request', () => {
  it('exits 0 on allow and prints the decision, receipt and idempotency key as JSON', async () => {
    const result = await run(
      'x-relynt',
      [
        'request',
        '--action',
        'close_ticket',
        '--resource',
        'support:ticket:7',
        '--payload',
        '{"note":"done"}',
        '--json',
      ],
      env,
    )
    expect(result.code).toBe(0)
    const output = JSON.parse(result.stdout)
    expect(output).toMatchObject({
      decision: 'allow',
      receiptId: expect.any(String),
      riskLevel: 'low',
      policyVersion: 'cli-tests',
      idempotencyKey: expect.any(String),
      instanceId: expect.any(String),
      toolResponse: { echo: expect.objectContaining({ payload: { note: 'done' } }) },
    })
  })

  it('exits 3 when the gateway denies the action', async () => {
    const result = await run(
      'x-relynt',
      ['request', '--action', 'delete_record', '--resource', 'crm:x:1'],
      env,
    )
    expect(result.code).toBe(3)
    expect(result.stdout).toMatch(/^deny/)
  })

  it('exits 5 on pending_approval without --wait and says how to wait', async () => {
    const result = await run('x-relynt', [...refund('payment:refund:1'), '--json'], env)
    expect(result.code).toBe(5)
    const output = JSON.parse(result.stdout)
    expect(output).toMatchObject({ decision: 'pending_approval', approvalId: expect.any(String) })
    expect(result.stderr).toContain(`x-relynt approval wait ${output.approvalId}`)
  })

  it('waits with --wait until a person approves through the admin API, then exits 0 with the approval', async () => {
    const running = start('x-relynt', [...refund('payment:refund:2'), '--wait', '--json'], env)
    const approvalId = await pendingApprovalFor('payment:refund:2')
    await admin(`/approvals/${approvalId}/approve`, { approver: 'slack:U777' })
    const result = await running.finished
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      decision: 'pending_approval',
      approvalId,
      approval: { approvalId, status: 'approved', decidedBy: 'slack:U777', receiptId: expect.any(String) },
    })
  })

  it('shows escape and control characters from the gateway as text, so they cannot repaint the terminal', async () => {
    const resource = 'payment:\u001b[2J\u001b[Hrefund'
    const running = start('x-relynt', [...refund(resource), '--wait'], env)
    const approvalId = await pendingApprovalFor(resource)
    await admin(`/approvals/${approvalId}/deny`, { approver: '\u001b]0;pwned\u0007mallory\u202e' })
    const denied = await running.finished
    expect(denied.code).toBe(3)
    expect(denied.stdout).toContain('\\e]0;pwned\\u{7}mallory\\u{202e}')
    const listed = await run('x-relynt', ['receipts', 'list', '--decision', 'pending_approval'], env)
    expect(listed.stdout).toContain('payment:\\e[2J\\e[Hrefund')
    for (const output of [denied.stdout, denied.stderr, listed.stdout, listed.stderr]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting no control character got through
      expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/)
    }
  })

  it('exits 3 when the approver denies while --wait is waiting', async () => {
    const running = start('x-relynt', [...refund('payment:refund:3'), '--wait'], env)
    const approvalId = await pendingApprovalFor('payment:refund:3')
    await admin(`/approvals/${approvalId}/deny`, { approver: 'slack:U888' })
    const result = await running.finished
    expect(result.code).toBe(3)
    expect(result.stdout).toMatch(/denied\s+approval/)
    expect(result.stdout).toContain('slack:U888')
  })

  it('exits 4 when --timeout runs out while the approval is pending, still printing the request as JSON', async () => {
    const result = await run(
      'x-relynt',
      [...refund('payment:refund:4'), '--wait', '--timeout', '0', '--json'],
      env,
    )
    expect(result.code).toBe(4)
    const output = JSON.parse(result.stdout)
    expect(output).toMatchObject({ decision: 'pending_approval', approvalId: expect.any(String) })
    expect(result.stderr).toContain(`x-relynt approval wait ${output.approvalId}`)
  })

  it('sends --instance-id, which the receipt records', async () => {
    const result = await run(
      'x-relynt',
      [
        'request',
        '--action',
        'close_ticket',
        '--resource',
        'support:ticket:8',
        '--instance-id',
        'run-42',
        '--json',
      ],
      env,
    )
    const { receiptId, instanceId } = JSON.parse(result.stdout)
    expect(instanceId).toBe('run-42')
    const receipt = relynt.listReceipts().find((candidate) => candidate.receipt_id === receiptId)
    expect(receipt?.instance_id).toBe('run-42')
  })

  it('answers a repeated --idempotency-key with the original decision instead of acting again', async () => {
    const args = [
      'request',
      '--action',
      'close_ticket',
      '--resource',
      'support:ticket:9',
      '--idempotency-key',
      'cli-key-1',
      '--instance-id',
      'run-9',
      '--json',
    ]
    const first = JSON.parse((await run('x-relynt', args, env)).stdout)
    const connectorCalls = relynt.stats().connectorCalls
    const second = JSON.parse((await run('x-relynt', args, env)).stdout)
    expect(second.receiptId).toBe(first.receiptId)
    expect(relynt.stats().connectorCalls).toBe(connectorCalls)
  })

  it('reads --payload from a file given as @path', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const path = join(await mkdtemp(join(tmpdir(), 'x-relynt-')), 'payload.json')
    await writeFile(path, '{"from_file":true}')
    const result = await run(
      'x-relynt',
      [
        'request',
        '--action',
        'close_ticket',
        '--resource',
        'support:ticket:10',
        '--payload',
        `@${path}`,
        '--json',
      ],
      env,
    )
    expect(JSON.parse(result.stdout).toolResponse.echo.payload).toEqual({ from_file: true })
  })

  it('exits 2 with one paragraph when --payload is not a JSON object, before anything is sent', async () => {
    const calls = relynt.stats().gatewayCalls
    const result = await run(
      'x-relynt',
      ['request', '--action', 'close_ticket', '--resource', 'support:ticket:1', '--payload', '[1,2]'],
      env,
    )
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('--payload must be a JSON object')
    expect(relynt.stats().gatewayCalls).toBe(calls)
  })

  it('exits 2 naming the missing flag', async () => {
    const result = await run('x-relynt', ['request', '--action', 'close_ticket'], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('missing --resource')
  })

  it('takes --base-url over RELYNT_API_BASE_URL', async () => {
    const result = await run(
      'x-relynt',
      ['request', '--action', 'close_ticket', '--resource', 'support:ticket:11', '--base-url', relynt.url],
      { ...env, RELYNT_API_BASE_URL: 'http://127.0.0.1:9' },
    )
    expect(result.code).toBe(0)
  })

  it('exits 2 and says which variable to set when no gateway URL is configured', async () => {
    const { RELYNT_API_BASE_URL: _unset, ...withoutUrl } = env
    const result = await run('x-relynt', ['request', '--action', 'a', '--resource', 'b'], withoutUrl)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--base-url')
    expect(result.stderr).toContain('RELYNT_API_BASE_URL')
  })

  it('exits 1 on a rejected secret and never prints the secret', async () => {
    const wrong = `${secret.slice(0, -4)}XXXX`
    const result = await run(
      'x-relynt',
      ['request', '--action', 'close_ticket', '--resource', 'support:ticket:1'],
      {
        ...env,
        RELYNT_AGENT_SECRET: wrong,
      },
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/HTTP 401/)
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong)
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong.slice(8))
  })
})

describe('x-relynt approval', () => {
  it('wait exits 0 once a person approves through the admin API', async () => {
    const requested = JSON.parse(
      (await run('x-relynt', [...refund('payment:refund:20'), '--json'], env)).stdout,
    )
    const running = start('x-relynt', ['approval', 'wait', requested.approvalId, '--json'], env)
    await admin(`/approvals/${requested.approvalId}/approve`, { approver: 'slack:U1' })
    const result = await running.finished
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ approvalId: requested.approvalId, status: 'approved' })
  })

  it('wait exits 4 when its --timeout runs out while pending', async () => {
    const requested = JSON.parse(
      (await run('x-relynt', [...refund('payment:refund:21'), '--json'], env)).stdout,
    )
    const result = await run('x-relynt', ['approval', 'wait', requested.approvalId, '--timeout', '0'], env)
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('still pending')
  })

  it('get exits 5 while pending and 3 once denied', async () => {
    const requested = JSON.parse(
      (await run('x-relynt', [...refund('payment:refund:22'), '--json'], env)).stdout,
    )
    const pending = await run('x-relynt', ['approval', 'get', requested.approvalId, '--json'], env)
    expect(pending.code).toBe(5)
    expect(JSON.parse(pending.stdout)).toMatchObject({ status: 'pending', decidedBy: null })
    relynt.deny(requested.approvalId, { approver: 'slack:U2' })
    const denied = await run('x-relynt', ['approval', 'get', requested.approvalId], env)
    expect(denied.code).toBe(3)
  })

  it('stops waiting on Ctrl+C, exits 130 and says how to resume', async () => {
    const requested = JSON.parse(
      (await run('x-relynt', [...refund('payment:refund:23'), '--json'], env)).stdout,
    )
    const running = start('x-relynt', ['approval', 'wait', requested.approvalId], env)
    await running.waitFor(/Waiting for a decision on approval/, 'stderr')
    running.child.kill('SIGINT')
    const result = await running.finished
    expect(result.code).toBe(130)
    expect(result.stderr).toContain('Interrupted')
    expect(result.stderr).toContain(`x-relynt approval wait ${requested.approvalId}`)
    expect(
      relynt.listApprovals().find((approval) => approval.approval_id === requested.approvalId)?.status,
    ).toBe('pending')
  })
})

describe('x-relynt simulate', () => {
  it.each([
    ['close_ticket', 'support:ticket:1', 0, 'allow'],
    ['delete_record', 'crm:x:1', 3, 'deny'],
    ['refund_payment', 'payment:refund:9', 5, 'pending_approval'],
  ])('exits by the predicted decision: %s on %s → %i', async (action, resource, code, decision) => {
    const receipts = relynt.listReceipts().length
    const result = await run(
      'x-relynt',
      ['simulate', '--action', action, '--resource', resource, '--json'],
      env,
    )
    expect(result.code).toBe(code)
    expect(JSON.parse(result.stdout)).toMatchObject({
      decision,
      requiresApproval: decision === 'pending_approval',
      policyVersion: 'cli-tests',
      matchedRule: expect.objectContaining({ action }),
    })
    expect(relynt.listReceipts()).toHaveLength(receipts)
  })
})

describe('x-relynt receipts', () => {
  async function allowedReceipt(resource: string, payload: unknown) {
    const args = [
      'request',
      '--action',
      'close_ticket',
      '--resource',
      resource,
      '--payload',
      JSON.stringify(payload),
    ]
    return JSON.parse((await run('x-relynt', [...args, '--json'], env)).stdout) as { receiptId: string }
  }

  it('list prints a JSON array filtered by decision', async () => {
    await run('x-relynt', ['request', '--action', 'delete_record', '--resource', 'crm:x:2'], env)
    const result = await run('x-relynt', ['receipts', 'list', '--decision', 'deny', '--json'], env)
    expect(result.code).toBe(0)
    const receipts = JSON.parse(result.stdout) as { decision: string; receiptId: string }[]
    expect(receipts.length).toBeGreaterThan(0)
    expect(receipts.every((receipt) => receipt.decision === 'deny')).toBe(true)
  })

  it('list shows one page unless --all follows every page', async () => {
    await run('x-relynt', ['request', '--action', 'delete_record', '--resource', 'crm:x:3'], env)
    await run('x-relynt', ['request', '--action', 'delete_record', '--resource', 'crm:x:4'], env)
    const list = async (...flags: string[]) => {
      const result = await run(
        'x-relynt',
        ['receipts', 'list', '--decision', 'deny', '--limit', '1', ...flags, '--json'],
        env,
      )
      expect(result.code).toBe(0)
      return JSON.parse(result.stdout) as { receiptId: string }[]
    }
    expect(await list()).toHaveLength(1)
    const all = await list('--all')
    expect(all.length).toBeGreaterThanOrEqual(2)
    expect(new Set(all.map((receipt) => receipt.receiptId)).size).toBe(all.length)
  })

  it('list exits 2 naming the flag when --from is not a date', async () => {
    const result = await run('x-relynt', ['receipts', 'list', '--from', 'yesterday'], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--from must be an ISO 8601 date or time')
    expect(result.stderr).not.toMatch(/a Date\b/)
  })

  it('words URL mistakes in terms of --base-url, never naming SDK options', async () => {
    const insecure = await run(
      'x-relynt',
      ['receipts', 'list', '--base-url', 'http://gateway.example.com'],
      env,
    )
    expect(insecure.code).toBe(2)
    expect(insecure.stderr).toContain('--base-url (or RELYNT_API_BASE_URL) uses plain HTTP')
    const invalid = await run('x-relynt', ['receipts', 'list', '--base-url', 'gateway'], env)
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('--base-url (or RELYNT_API_BASE_URL) must be an absolute https:// URL')
    for (const stderr of [insecure.stderr, invalid.stderr]) {
      expect(stderr).not.toMatch(/allowInsecureHttp|baseUrl/)
    }
  })

  it('get prints the full receipt', async () => {
    const { receiptId } = await allowedReceipt('support:ticket:30', { a: 1 })
    const result = await run('x-relynt', ['receipts', 'get', receiptId, '--json'], env)
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      receiptId,
      action: 'close_ticket',
      resource: 'support:ticket:30',
      decision: 'allow',
      requestHash: expect.stringMatching(/^sha256:/),
    })
  })

  it('verify exits 0 when the signature and the request hash both check out', async () => {
    const { receiptId } = await allowedReceipt('support:ticket:31', { a: 2 })
    const result = await run(
      'x-relynt',
      [
        'receipts',
        'verify',
        receiptId,
        '--action',
        'close_ticket',
        '--resource',
        'support:ticket:31',
        '--payload',
        '{"a":2}',
        '--json',
      ],
      env,
    )
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ receiptId, signatureValid: true, requestHashMatches: true })
  })

  it('verify exits 1 when the stored receipt was altered after signing', async () => {
    const { receiptId } = await allowedReceipt('support:ticket:32', { a: 3 })
    relynt.tamperReceipt(receiptId, 'decision', 'deny')
    const result = await run('x-relynt', ['receipts', 'verify', receiptId, '--json'], env)
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({ signatureValid: false, requestHashMatches: null })
    expect(result.stderr).toContain('does not verify')
  })

  it('verify exits 1 when the receipt records a different request from the one given', async () => {
    const { receiptId } = await allowedReceipt('support:ticket:33', { a: 4 })
    const result = await run(
      'x-relynt',
      [
        'receipts',
        'verify',
        receiptId,
        '--action',
        'close_ticket',
        '--resource',
        'support:ticket:33',
        '--payload',
        '{"a":5}',
      ],
      env,
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('does NOT match')
  })

  it('verify exits 2 when --action is given without --resource', async () => {
    const result = await run('x-relynt', ['receipts', 'verify', 'rec_x', '--action', 'close_ticket'], env)
    expect(result.code).toBe(2)
  })
})

describe('x-relynt with a gateway whose connector fails', () => {
  it('exits 1 when the approval went through but the connector then failed', async () => {
    const failing = await startRelyntSandbox({
      connector: async () => {
        throw new Error('CRM is down')
      },
    })
    try {
      failing.setPolicy([{ action: 'refund_payment', resource_pattern: '*', decision: 'require_approval' }])
      const agent = failing.createAgent()
      const failingEnv = {
        RELYNT_API_BASE_URL: failing.url,
        RELYNT_AGENT_ID: agent.agentId,
        RELYNT_AGENT_SECRET: agent.secret,
      }
      const requested = JSON.parse(
        (
          await run(
            'x-relynt',
            ['request', '--action', 'refund_payment', '--resource', 'payment:9', '--json'],
            failingEnv,
          )
        ).stdout,
      )
      await failing.approve(requested.approvalId, { approver: 'slack:U9' })
      const result = await run('x-relynt', ['approval', 'wait', requested.approvalId, '--json'], failingEnv)
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'approved', error: expect.any(Object) })
      expect(result.stderr).toContain("the gateway's connector then failed")
    } finally {
      await failing.close()
    }
  })
})
