import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RalioSandbox, startRalioSandbox } from '@x/sandbox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, run, start } from './support/run-command.js'

let ralio: RalioSandbox
let root: string
/** A folder registered once in beforeAll, for the commands that need a binding. */
let configDir: string
let env: Record<string, string>

beforeAll(async () => {
  ralio = await startRalioSandbox()
  root = await mkdtemp(join(tmpdir(), 'x-ralio-'))
  configDir = join(root, 'registered')
  env = { RALIO_API_URL: ralio.url, RALIO_CONFIG_DIR: configDir }
  const registered = await run('x-ralio', ['register', '--ticket', ralio.mintTicket().ticket], env)
  expect(registered.code).toBe(0)
  for (const message of [
    'Pay £25 to Alice for lunch',
    'Pay £40 to Bob for books',
    'Pay £12.50 to Carol for cake',
  ]) {
    expect((await run('x-ralio', ['chat', message], env)).code).toBe(0)
  }
})

afterAll(async () => {
  await ralio?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

describe('x-ralio register', () => {
  it('writes the official layout (credentials.json and keys/<jkt>.pem, 0600 in a 0700 folder) and prints the binding as JSON', async () => {
    const folder = join(root, 'layout')
    const result = await run(
      'x-ralio',
      ['register', '--ticket', ralio.mintTicket().ticket, '--config-dir', folder, '--json'],
      {
        RALIO_API_URL: ralio.url,
      },
    )
    expect(result.code).toBe(0)
    const registration = JSON.parse(result.stdout)
    expect(registration).toEqual({
      clientId: expect.stringMatching(/^cb_/),
      scopes: expect.arrayContaining(['agents:execute', 'transactions:read']),
      jkt: expect.any(String),
      keyPath: join(folder, 'keys', `${registration.jkt}.pem`),
      configDir: folder,
    })
    const credentials = JSON.parse(await readFile(join(folder, 'credentials.json'), 'utf8'))
    expect(credentials).toMatchObject({
      client_id: registration.clientId,
      key_jkt: registration.jkt,
      auth_method: 'private_key_jwt',
    })
    expect(await readdir(join(folder, 'keys'))).toEqual([`${registration.jkt}.pem`])
    expect((await stat(folder)).mode & 0o777).toBe(0o700)
    expect((await stat(join(folder, 'credentials.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(registration.keyPath)).mode & 0o777).toBe(0o600)
    // Nothing secret is printed: neither the tokens saved nor the private key.
    expect(result.stdout).not.toContain(credentials.access_token)
    expect(result.stdout).not.toContain('PRIVATE KEY')
  })

  it('asks for only the --scopes given', async () => {
    const result = await run(
      'x-ralio',
      [
        'register',
        '--ticket',
        ralio.mintTicket().ticket,
        '--config-dir',
        join(root, 'scoped'),
        '--scopes',
        'agents:execute',
        '--json',
      ],
      { RALIO_API_URL: ralio.url },
    )
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).scopes).toEqual(['agents:execute'])
  })

  it('refuses to replace existing credentials without --overwrite, before spending the ticket', async () => {
    const { ticket } = ralio.mintTicket()
    const refused = await run('x-ralio', ['register', '--ticket', '-'], env, ticket)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('--overwrite')
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    // The same ticket still works, so the refusal did not consume it.
    const folder = join(root, 'fresh')
    const accepted = await run('x-ralio', ['register', '--ticket', ticket, '--config-dir', folder], {
      RALIO_API_URL: ralio.url,
    })
    expect(accepted.code).toBe(0)
  })

  it('replaces existing credentials with --overwrite', async () => {
    const folder = join(root, 'overwritten')
    const first = JSON.parse(
      (
        await run(
          'x-ralio',
          ['register', '--ticket', ralio.mintTicket().ticket, '--config-dir', folder, '--json'],
          env,
        )
      ).stdout,
    )
    const second = await run(
      'x-ralio',
      ['register', '--ticket', ralio.mintTicket().ticket, '--config-dir', folder, '--overwrite', '--json'],
      env,
    )
    expect(second.code).toBe(0)
    const credentials = JSON.parse(await readFile(join(folder, 'credentials.json'), 'utf8'))
    expect(credentials.client_id).toBe(JSON.parse(second.stdout).clientId)
    expect(credentials.client_id).not.toBe(first.clientId)
  })

  it('reads the ticket from RALIO_REGISTRATION_TICKET and lets --ticket win over it', async () => {
    const fromEnv = await run('x-ralio', ['register', '--config-dir', join(root, 'env-ticket')], {
      RALIO_API_URL: ralio.url,
      RALIO_REGISTRATION_TICKET: ralio.mintTicket().ticket,
    })
    expect(fromEnv.code).toBe(0)
    const flagWins = await run(
      'x-ralio',
      ['register', '--config-dir', join(root, 'flag-ticket'), '--ticket', ralio.mintTicket().ticket],
      { RALIO_API_URL: ralio.url, RALIO_REGISTRATION_TICKET: 'ralio-reg-not-a-real-one' },
    )
    expect(flagWins.code).toBe(0)
  })

  it('reads the ticket from standard input with --ticket -, with no warning', async () => {
    const result = await run(
      'x-ralio',
      ['register', '--ticket', '-', '--config-dir', join(root, 'stdin-ticket'), '--json'],
      { RALIO_API_URL: ralio.url },
      `${ralio.mintTicket().ticket}\n`,
    )
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ clientId: expect.stringMatching(/^cb_/) })
    expect(result.stderr).toBe('')
  })

  it('warns in one line that a ticket on the command line shows in the process list', async () => {
    const result = await run(
      'x-ralio',
      ['register', '--ticket', ralio.mintTicket().ticket, '--config-dir', join(root, 'argv-ticket')],
      { RALIO_API_URL: ralio.url },
    )
    expect(result.code).toBe(0)
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^x-ralio: warning: .*process list \(ps\).*--ticket -/),
    ])
  })

  it('exits 2 when --ticket - finds nothing on standard input, before anything is sent', async () => {
    const result = await run('x-ralio', ['register', '--ticket', '-', '--config-dir', join(root, 'empty')], {
      RALIO_API_URL: ralio.url,
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--ticket - read nothing from standard input')
  })

  it('exits 2 and says how to give a ticket when there is none', async () => {
    const result = await run('x-ralio', ['register', '--config-dir', join(root, 'no-ticket')], {
      RALIO_API_URL: ralio.url,
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--ticket')
    expect(result.stderr).toContain('RALIO_REGISTRATION_TICKET')
  })

  it('exits 1 with the server’s reason when the ticket was already used', async () => {
    const { ticket } = ralio.mintTicket()
    await run('x-ralio', ['register', '--ticket', ticket, '--config-dir', join(root, 'used-1')], {
      RALIO_API_URL: ralio.url,
    })
    const result = await run(
      'x-ralio',
      ['register', '--ticket', ticket, '--config-dir', join(root, 'used-2')],
      {
        RALIO_API_URL: ralio.url,
      },
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ask the owner for a new one')
    expect(result.stderr.match(/ask the owner/g)).toHaveLength(1)
    expect(result.stderr).toContain('code ticket_already_consumed')
    expect(result.stderr).not.toContain(ticket)
  })
})

describe('x-ralio status', () => {
  it('prints the binding, agent, scopes, key thumbprint and token expiry, and no secret', async () => {
    const result = await run('x-ralio', ['status', '--json'], env)
    expect(result.code).toBe(0)
    const credentials = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
    expect(JSON.parse(result.stdout)).toEqual({
      configDir,
      clientId: credentials.client_id,
      jkt: credentials.key_jkt,
      scopes: expect.arrayContaining(['agents:execute']),
      token: { present: true, expiresAt: expect.any(String), valid: true },
      agent: expect.objectContaining({ id: ralio.agents[0]!.id, name: ralio.agents[0]!.name }),
      checked: true,
      accepted: true,
    })
    const human = await run('x-ralio', ['status'], env)
    for (const output of [result.stdout, human.stdout]) {
      expect(output).not.toContain(credentials.access_token)
      expect(output).not.toContain(credentials.refresh_token ?? 'no refresh token stored')
    }
    expect(human.stdout).toContain(credentials.client_id)
    expect(human.stdout).toMatch(/valid for \d+ min/)
  })

  it('with --offline reads only the folder', async () => {
    const result = await run('x-ralio', ['status', '--offline', '--json'], {
      RALIO_CONFIG_DIR: configDir,
      RALIO_API_URL: 'http://127.0.0.1:9',
    })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ checked: false, accepted: null, agent: null })
  })

  it('with --offline exits 1 and says why when key_path holds no key', async () => {
    const folder = join(root, 'keyless')
    await mkdir(join(folder, 'keys'), { recursive: true, mode: 0o700 })
    const keyPath = join(folder, 'keys', 'empty.pem')
    await writeFile(keyPath, '', { mode: 0o600 })
    await writeFile(
      join(folder, 'credentials.json'),
      JSON.stringify({ client_id: 'cb_keyless', key_path: keyPath }),
      { mode: 0o600 },
    )
    const result = await run('x-ralio', ['status', '--offline', '--config-dir', folder], env)
    expect(result.code).toBe(1)
    expect(result.stdout).not.toContain('Key')
    expect(result.stderr).toContain(`${keyPath} holds no usable private key`)
  })

  it('exits 1 and says how to register when the folder has no credentials', async () => {
    const result = await run('x-ralio', ['status', '--config-dir', join(root, 'empty')], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('x-ralio register --ticket')
  })

  it('exits 1 when the API no longer accepts the binding, still showing what the folder holds', async () => {
    const folder = join(root, 'revoked')
    await run('x-ralio', ['register', '--ticket', ralio.mintTicket().ticket, '--config-dir', folder], env)
    ralio.injectFault({
      route: 'GET /api/agents',
      status: 401,
      body: { detail: 'binding revoked' },
      count: 2,
    })
    try {
      const result = await run('x-ralio', ['status', '--config-dir', folder, '--json'], env)
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout)).toMatchObject({ checked: true, accepted: false })
    } finally {
      ralio.clearFaults()
    }
  })
})

describe('x-ralio chat', () => {
  it('streams the reply to stdout and tool activity to stderr', async () => {
    const result = await run('x-ralio', ['chat', 'Pay £5 to Dave for coffee'], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('£5.00')
    expect(result.stderr).toMatch(/✔ \w+/)
    expect(result.stderr).toMatch(/x-ralio chat -c [\w-]+/)
  })

  it('prints one JSON event per line with --json, ending with the reply', async () => {
    const result = await run('x-ralio', ['chat', 'What is my balance?', '--json'], env)
    expect(result.code).toBe(0)
    const events = jsonLines(result.stdout) as {
      event: string
      name: string
      data: Record<string, unknown>
      text?: string
    }[]
    expect(events[0]).toMatchObject({ event: 'conversation', data: { conversationId: expect.any(String) } })
    expect(events.some((event) => event.event === 'tool_started')).toBe(true)
    expect(events.at(-1)).toMatchObject({ event: 'reply', text: expect.stringContaining('balance') })
    expect(events.every((event) => !('raw' in event))).toBe(true)
  })

  it('continues a conversation given with -c', async () => {
    const first = jsonLines(
      (await run('x-ralio', ['chat', 'What is my balance?', '--json'], env)).stdout,
    ) as {
      data: { conversationId?: string }
    }[]
    const conversationId = first[0]!.data.conversationId!
    const second = jsonLines(
      (await run('x-ralio', ['chat', '-c', conversationId, 'List my recent payments', '--json'], env)).stdout,
    ) as { data: { conversationId?: string } }[]
    expect(second[0]!.data.conversationId).toBe(conversationId)
  })

  it('exits 1 with the agent’s error when the stream ends in an error event', async () => {
    const result = await run('x-ralio', ['chat', 'simulate agent failure'], env)
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^x-ralio: /)
  })

  it('reads the message from standard input when it is -', async () => {
    const result = await run('x-ralio', ['chat', '-'], env, 'Pay £7 to Frank for parking\n')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('£7.00')
  })

  it('exits 2 when the message is missing', async () => {
    const result = await run('x-ralio', ['chat'], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('missing <message>')
  })

  it('aborts the stream on Ctrl+C, exits 130 and warns that the agent may have acted', async () => {
    const slow = await startRalioSandbox({ streamDelayMs: 60_000 })
    try {
      const folder = join(root, 'slow')
      const slowEnv = { RALIO_API_URL: slow.url, RALIO_CONFIG_DIR: folder }
      expect((await run('x-ralio', ['register', '--ticket', slow.mintTicket().ticket], slowEnv)).code).toBe(0)
      const running = start('x-ralio', ['chat', 'Pay £5 to Erin for tea', '--json'], slowEnv)
      await running.waitFor(/"event":"conversation"/, 'stdout')
      running.child.kill('SIGINT')
      const result = await running.finished
      expect(result.code).toBe(130)
      expect(result.stderr).toContain('Interrupted')
      expect(result.stderr).toContain('x-ralio intents')
    } finally {
      await slow.close()
    }
  })
})

describe('x-ralio lists', () => {
  it('transactions --json prints an array of one page; --all every page', async () => {
    const page = await run('x-ralio', ['transactions', '--per-page', '2', '--json'], env)
    expect(page.code).toBe(0)
    const firstPage = JSON.parse(page.stdout) as { amount: string; id: string }[]
    expect(firstPage).toHaveLength(2)
    expect(typeof firstPage[0]!.amount).toBe('string')
    const all = JSON.parse(
      (await run('x-ralio', ['transactions', '--all', '-n', '1', '--json'], env)).stdout,
    ) as unknown[]
    expect(all.length).toBeGreaterThanOrEqual(3)
  })

  it('transactions prints a table and says how to get the next page', async () => {
    const result = await run('x-ralio', ['transactions', '-n', '1'], env)
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')[0]).toMatch(/date\s+amount\s+creditor\s+status/)
    expect(result.stderr).toMatch(/1–1 of \d+ transactions · next: --page 2, or --all/)
  })

  it('intents --json prints payment intents with decimal-string amounts', async () => {
    const result = await run('x-ralio', ['intents', '--all', '--json'], env)
    expect(result.code).toBe(0)
    const intents = JSON.parse(result.stdout) as { totalAmount: string; approvalStatus: string }[]
    expect(intents.length).toBeGreaterThanOrEqual(3)
    expect(intents.map((intent) => intent.totalAmount)).toContain('12.50')
  })

  it('agents --json prints the one agent the binding is pinned to', async () => {
    const result = await run('x-ralio', ['agents', '--json'], env)
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ id: ralio.agents[0]!.id })])
  })

  it('exits 2 on a --per-page that is not a positive integer', async () => {
    const result = await run('x-ralio', ['transactions', '--per-page', '0'], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--per-page must be a positive integer')
  })

  it('takes --api-url over RALIO_API_URL', async () => {
    const result = await run('x-ralio', ['agents', '--api-url', ralio.url], {
      ...env,
      RALIO_API_URL: 'http://127.0.0.1:9',
    })
    expect(result.code).toBe(0)
  })

  it('exits 1 with one paragraph when the API cannot be reached', async () => {
    const result = await run('x-ralio', ['agents'], { ...env, RALIO_API_URL: 'http://127.0.0.1:9' })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('says it could not resolve a host that does not exist, not that it refused', async () => {
    const result = await run('x-ralio', ['agents'], { ...env, RALIO_API_URL: 'https://ralio-api.invalid' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('could not resolve host ralio-api.invalid')
    expect(result.stderr).not.toMatch(/refused/)
    expect(result.stderr).toContain('code host_not_found')
  })

  it('words a plain-HTTP URL in terms of --api-url, never naming SDK options', async () => {
    const result = await run('x-ralio', ['agents', '--api-url', 'http://api.example.com'], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--api-url (or RALIO_API_URL) uses plain HTTP')
    expect(result.stderr).not.toMatch(/allowInsecureHttp|baseUrl/)
  })
})
