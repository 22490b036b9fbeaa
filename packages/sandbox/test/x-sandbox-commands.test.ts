import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { CliCommandError, CliUsageError, type RunningCli, runCli } from '../src/run-cli.js'

describe('x-sandbox talking to a running sandbox', () => {
  let directory: string
  let stateFile: string
  let running: RunningCli | undefined
  let log = ''
  let env: Record<string, string>

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'x-sandbox-commands-'))
    stateFile = join(directory, 'state', 'running.json')
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })
  beforeEach(async () => {
    log = ''
    running = await runCli(
      [],
      (text) => {
        log += text
      },
      { stateFile, env: {} },
    )
    env = Object.fromEntries([...log.matchAll(/^([A-Z_]+)=(.+)$/gm)].map((match) => [match[1]!, match[2]!]))
  })
  afterEach(async () => {
    await running?.close()
  })

  /** Runs a subcommand the way a second terminal would: it finds the sandbox through the file. */
  async function command(...argv: string[]): Promise<string> {
    let output = ''
    await runCli(argv, (text) => (output += text), { env: { X_SANDBOX_STATE_FILE: stateFile } })
    return output
  }

  function requestApproval(fields: Record<string, unknown> = {}) {
    return fetch(`${env.RELYNT_API_BASE_URL}/v1/agent-tool-call`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.RELYNT_AGENT_SECRET}`,
        'idempotency-key': crypto.randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        instance_id: 'run-7',
        action: 'refund_payment',
        resource: 'payment:order:9',
        ...fields,
      }),
    }).then((response) => response.json() as Promise<{ decision: string; approval_id: string }>)
  }

  function approval(id: string) {
    return fetch(`${env.RELYNT_API_BASE_URL}/v1/approvals/${id}`, {
      headers: { authorization: `Bearer ${env.RELYNT_AGENT_SECRET}` },
    }).then((response) => response.json() as Promise<{ status: string; decided_by: string }>)
  }

  it('records itself in a file only the user can read, and removes it on close', async () => {
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600)
    expect((await stat(join(directory, 'state'))).mode & 0o777).toBe(0o700)
    await running?.close()
    running = undefined
    await expect(stat(stateFile)).rejects.toThrow(/ENOENT/)
    await expect(command('ticket')).rejects.toThrow(CliCommandError)
  })

  it('logs each request, and for a pending approval the commands that decide it', async () => {
    const { approval_id: approvalId } = await requestApproval()
    expect(log).toMatch(/ relynt POST \/v1\/agent-tool-call 200 pending_approval\n/)
    expect(log).toContain(`approval ${approvalId} is waiting (risk high`)
    expect(log).toContain(`approve: x-sandbox approve ${approvalId} --as <your name>`)
    expect(log).toContain(`deny:    x-sandbox deny ${approvalId}`)
    expect(log).toContain('approve in your browser: http://127.0.0.1:')
  })

  it('approves and denies with a name and a reason', async () => {
    const first = await requestApproval()
    expect(await command('approve', first.approval_id, '--as', 'alice', '--reason', 'refund agreed')).toMatch(
      new RegExp(`^approved ${first.approval_id} as alice; receipt rec_\\w+\\n$`),
    )
    expect(await approval(first.approval_id)).toMatchObject({ status: 'approved', decided_by: 'alice' })

    const second = await requestApproval()
    expect(await command('deny', second.approval_id, '--as', 'bob')).toContain(
      `denied ${second.approval_id} as bob`,
    )
    expect(await approval(second.approval_id)).toMatchObject({ status: 'denied', decided_by: 'bob' })

    await expect(command('deny', second.approval_id)).rejects.toThrow(/is denied; only a pending approval/)
    await expect(command('approve')).rejects.toThrow(CliUsageError)
    await expect(command('approve', 'a', 'b')).rejects.toThrow(CliUsageError)
  })

  it('mints a registration ticket and a new console login link', async () => {
    expect(await command('ticket')).toMatch(/^RALIO_REGISTRATION_TICKET=\S+\n# single use, expires /)
    const login = await command('console')
    const url = /^approve in your browser: (\S+)$/m.exec(login)?.[1]
    expect((await fetch(url!, { redirect: 'manual' })).status).toBe(303)
  })

  it('prints what an agent wrote with control and escape characters made visible', async () => {
    await requestApproval({
      resource: 'payment:\u001b[2J\u001b]0;owned\u0007order',
      instance_id: 'run\r\nFAKE LOG LINE',
      payload: { note: 'pay \u202eevil\u009b31m' },
    })
    const printed = log.slice(log.indexOf('is waiting'))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/)
    expect(printed).toContain('payment:\\e[2J\\e]0;owned\\u{7}order')
    expect(printed).toContain('instance run\\r\\nFAKE LOG LINE')
    expect(printed).toContain('\\u{202e}evil\\u{9b}31m')
  })

  it('uses SANDBOX_ADMIN_TOKEN and the URLs from the environment before the file', async () => {
    const { approval_id: approvalId } = await requestApproval()
    let output = ''
    await runCli(['approve', approvalId, '--as', 'carol'], (text) => (output += text), {
      env: { ...env, X_SANDBOX_STATE_FILE: join(directory, 'missing.json') },
    })
    expect(output).toContain(`approved ${approvalId} as carol`)
    await expect(
      runCli(['approve', approvalId], () => {}, {
        env: { ...env, SANDBOX_ADMIN_TOKEN: 'a-wrong-token-of-some-length' },
      }),
    ).rejects.toThrow(/refused the admin token/)
  })
})
