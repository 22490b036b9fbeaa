import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliUsageError, runCli } from '../src/run-cli.js'

// Never the user's own running-sandbox file.
let stateDirectory: string
const options = () => ({ stateFile: join(stateDirectory, 'running.json'), env: {} })
beforeAll(async () => {
  stateDirectory = await mkdtemp(join(tmpdir(), 'x-sandbox-cli-'))
})
afterAll(async () => {
  await rm(stateDirectory, { recursive: true, force: true })
})

describe('x-sandbox command', () => {
  it('starts both sandboxes and prints a working ticket, agent credential and env lines', async () => {
    let output = ''
    const running = await runCli(
      ['--stream-delay-ms', '0'],
      (text) => {
        output += text
      },
      options(),
    )
    try {
      const env = Object.fromEntries(
        [...output.matchAll(/^([A-Z_]+)=(.+)$/gm)].map((match) => [match[1]!, match[2]!]),
      )
      expect(Object.keys(env)).toEqual([
        'RALIO_API_URL',
        'RALIO_REGISTRATION_TICKET',
        'RELYNT_API_BASE_URL',
        'RELYNT_AGENT_ID',
        'RELYNT_AGENT_SECRET',
        'SANDBOX_ADMIN_TOKEN',
      ])
      expect(env.RALIO_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const admin = { headers: { authorization: `Bearer ${env.SANDBOX_ADMIN_TOKEN}` } }
      expect((await fetch(`${env.RALIO_API_URL}/__admin/stats`, admin)).status).toBe(200)
      expect((await fetch(`${env.RELYNT_API_BASE_URL}/__admin/stats`, admin)).status).toBe(200)
      expect((await fetch(`${env.RELYNT_API_BASE_URL}/__admin/stats`)).status).toBe(401)
      const call = await fetch(`${env.RELYNT_API_BASE_URL}/v1/agent-tool-call`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${env.RELYNT_AGENT_SECRET}`,
          'idempotency-key': 'cli-test',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ instance_id: 'r', action: 'close_ticket', resource: 'support:ticket:1' }),
      })
      expect(await call.json()).toMatchObject({
        decision: 'allow',
        tool_response: { echo: { action: 'close_ticket' } },
      })
    } finally {
      await running?.close()
    }
  })

  it('prints one JSON object with --json', async () => {
    let output = ''
    const running = await runCli(
      ['--json', '--relynt-connector', 'none'],
      (text) => {
        output += text
      },
      options(),
    )
    try {
      const printed = JSON.parse(output.split('\n')[0]!) as {
        relynt: { url: string }
        env: Record<string, string>
      }
      expect(printed.env.RELYNT_API_BASE_URL).toBe(printed.relynt.url)
    } finally {
      await running?.close()
    }
  })

  it('rejects bad options with a usage error', async () => {
    await expect(runCli(['--ralio-port', 'abc'], () => {})).rejects.toThrow(CliUsageError)
    await expect(runCli(['--unknown'], () => {})).rejects.toThrow(CliUsageError)
    await expect(runCli(['--relynt-connector', 'not a url'], () => {})).rejects.toThrow(/relynt-connector/)
  })
})

describe('the x-sandbox process', () => {
  const bin = fileURLToPath(new URL('../bin/x-sandbox.js', import.meta.url))
  const runBin = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 })

  it('prints its version with --version and its usage with --help, exiting 0 without starting', () => {
    const version = runBin(['--version'])
    expect(version.status).toBe(0)
    expect(version.stdout).toMatch(/^x-sandbox \d+\.\d+\.\d+ \(Node v\d+/)
    const help = runBin(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('--version')
  })

  it('exits 2 on a misspelt option, suggesting the one meant, with no parser text', () => {
    const result = runBin(['--relynt-prot', '0'])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/^x-sandbox: unknown option --relynt-prot; did you mean --relynt-port\?\n/)
    expect(result.stderr).not.toContain('positional argument')
  })
})
