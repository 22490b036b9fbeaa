import { execFileSync, spawn } from 'node:child_process'
import { type RelyntSandbox, startRelyntSandbox } from '@x/sandbox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bins } from './support/run-command.js'

/** util-linux `script` runs a command on a pseudo-terminal, as a person's shell would. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

function onTerminal(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, ...args].map((part) => `'${part.replaceAll("'", `'\\''`)}'`).join(' ')
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm-256color', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stdin.end()
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })))
}

describe.skipIf(!hasScript)('on a terminal', () => {
  let relynt: RelyntSandbox
  let env: Record<string, string>

  beforeAll(async () => {
    relynt = await startRelyntSandbox()
    relynt.setPolicy([{ action: 'refund_payment', resource_pattern: '*', decision: 'require_approval' }])
    const agent = relynt.createAgent()
    env = {
      RELYNT_API_BASE_URL: relynt.url,
      RELYNT_AGENT_ID: agent.agentId,
      RELYNT_AGENT_SECRET: agent.secret,
    }
  })

  afterAll(async () => {
    await relynt?.close()
  })

  it('uses colour', async () => {
    const { code, output } = await onTerminal([bins['x-ralio'], '--help'], {})
    expect(code).toBe(0)
    expect(output).toContain('\x1b[1m')
  })

  it('uses no colour when NO_COLOR is set', async () => {
    const { output } = await onTerminal([bins['x-ralio'], '--help'], { NO_COLOR: '1' })
    expect(output).toContain('Usage: x-ralio')
    expect(output).not.toContain('\x1b[')
  })

  it('shows a spinner while waiting for an approval, and clears it', async () => {
    const { code, output } = await onTerminal(
      [
        bins['x-relynt'],
        'request',
        '--action',
        'refund_payment',
        '--resource',
        'payment:1',
        '--wait',
        '--timeout',
        '1s',
      ],
      env,
    )
    expect(code).toBe(4)
    expect(output).toMatch(/⠋.*Waiting for a decision on approval apr_/)
    expect(output).toContain('\r\x1b[2K')
  })

  it('keeps the spinner within 80 columns, shortening the approval id so the status stays', async () => {
    const { output } = await onTerminal(
      [
        bins['x-relynt'],
        'request',
        '--action',
        'refund_payment',
        '--resource',
        'payment:2',
        '--wait',
        '--timeout',
        '3s',
      ],
      { ...env, COLUMNS: '80' },
    )
    // Each redraw: clear the line, a frame, the text (colour codes removed).
    const frames = output
      .split('\r\x1b[2K')
      .map((frame) => frame.replaceAll('\x1b[36m', '').replaceAll('\x1b[39m', ''))
      .filter((frame) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /.test(frame))
    const statuses = frames.filter((frame) => frame.includes('check'))
    expect(statuses.length).toBeGreaterThan(0)
    for (const frame of frames) expect(frame.split('\n')[0]!.length).toBeLessThanOrEqual(80)
    expect(statuses.at(-1)).toMatch(/approval apr_\w{4}…\w{4} \(pending, \d+ s, check \d+\)$/)
  })
})
