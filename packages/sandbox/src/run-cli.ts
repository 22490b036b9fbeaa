import { CommandLineError, parseCommandLine as parseFlags } from '@x/core/internal/terminal'
import { startRalioSandbox } from './ralio/start-ralio-sandbox.js'
import { startRelyntSandbox } from './relynt/start-relynt-sandbox.js'
import type { ConnectorOption } from './relynt/tool-connector.js'
import { createAdminToken } from './shared/admin-access.js'
import { VERSION } from './version.js'

export const cliUsage = `Usage: x-sandbox [options]

Starts local Ralio and Relynt servers on 127.0.0.1 and prints what an SDK needs to use them,
and the admin token their /__admin routes require (Authorization: Bearer <token>).

Options:
  --ralio-port <port>        Ralio port (default 0: a free port)
  --relynt-port <port>       Relynt port (default 0: a free port)
  --stream-delay-ms <ms>     Pause between streamed chat events (default 40, human-like)
  --relynt-connector <mode>  'echo' (default), 'none', or a URL to POST allowed calls to
  --json                     Print one JSON object instead of text
  -h, --help                 Show this help
  --version                  Print the version
`

/** A command-line mistake; the CLI prints it with the usage and exits 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliUsageError'
  }
}

export interface RunningCli {
  /** Stops both sandboxes. */
  close(): Promise<void>
}

/**
 * Starts both sandboxes as the `x-sandbox` command does and writes their details with
 * `write`. Resolves to undefined for `--help`. Signal handling stays in cli.ts so this
 * can run inside a test.
 */
export async function runCli(argv: string[], write: (text: string) => void): Promise<RunningCli | undefined> {
  const values = parseCommandLine(argv)
  if (values.help) {
    write(cliUsage)
    return undefined
  }
  if (values.version) {
    write(`x-sandbox ${VERSION} (Node ${process.version})\n`)
    return undefined
  }
  const streamDelayMs = values['stream-delay-ms'] === undefined ? 40 : Number(values['stream-delay-ms'])
  if (!Number.isFinite(streamDelayMs) || streamDelayMs < 0) {
    throw new CliUsageError('--stream-delay-ms must be a non-negative number')
  }
  const connector = readConnector(values['relynt-connector'])
  const ralioPort = readPort(values['ralio-port'], '--ralio-port')
  const relyntPort = readPort(values['relynt-port'], '--relynt-port')

  // One token for both control planes, new on every start.
  const adminToken = createAdminToken()
  const ralio = await startRalioSandbox({ port: ralioPort, streamDelayMs, adminToken })
  const relynt = await startRelyntSandbox({
    port: relyntPort,
    adminToken,
    ...(connector === undefined ? {} : { connector }),
  }).catch(async (error: unknown) => {
    await ralio.close()
    throw error
  })

  const ticket = ralio.mintTicket()
  const agent = relynt.createAgent({ name: 'cli-agent' })
  const env = {
    RALIO_API_URL: ralio.url,
    RALIO_REGISTRATION_TICKET: ticket.ticket,
    RELYNT_API_BASE_URL: relynt.url,
    RELYNT_AGENT_ID: agent.agentId,
    RELYNT_AGENT_SECRET: agent.secret,
    SANDBOX_ADMIN_TOKEN: adminToken,
  }

  if (values.json) {
    write(
      `${JSON.stringify({
        ralio: {
          url: ralio.url,
          admin_url: `${ralio.url}/__admin`,
          ticket: ticket.ticket,
          ticket_expires_at: ticket.expiresAt,
        },
        relynt: {
          url: relynt.url,
          admin_url: `${relynt.url}/__admin`,
          agent_id: agent.agentId,
          agent_secret: agent.secret,
        },
        admin_token: adminToken,
        env,
      })}\n`,
    )
  } else {
    write(
      [
        'x-sandbox is running (Ctrl+C to stop)',
        '',
        `  Ralio   ${ralio.url}    admin: ${ralio.url}/__admin`,
        `  Relynt  ${relynt.url}    admin: ${relynt.url}/__admin`,
        '',
        `  Ralio registration ticket (single use, expires ${ticket.expiresAt})`,
        `    ${ticket.ticket}`,
        '  Relynt agent credential',
        `    agent id: ${agent.agentId}`,
        `    secret:   ${agent.secret}`,
        '  Admin token (both /__admin APIs: Authorization: Bearer <token>)',
        `    ${adminToken}`,
        '',
        '# Export these for the SDKs and examples:',
        ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
        '',
      ].join('\n'),
    )
  }

  return {
    async close() {
      await Promise.allSettled([ralio.close(), relynt.close()])
    },
  }
}

function parseCommandLine(argv: string[]) {
  try {
    return parseFlags(argv, {
      'ralio-port': { type: 'string' },
      'relynt-port': { type: 'string' },
      'stream-delay-ms': { type: 'string' },
      'relynt-connector': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    }).values as Partial<
      Record<'ralio-port' | 'relynt-port' | 'stream-delay-ms' | 'relynt-connector', string>
    > &
      Partial<Record<'json' | 'help' | 'version', boolean>>
  } catch (error) {
    if (error instanceof CommandLineError) throw new CliUsageError(error.message)
    throw error
  }
}

function readPort(value: string | undefined, flag: string): number {
  if (value === undefined) return 0
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CliUsageError(`${flag} must be an integer from 0 to 65535`)
  }
  return port
}

function readConnector(value: string | undefined): ConnectorOption | undefined {
  if (value === undefined || value === 'echo') return 'echo'
  if (value === 'none') return undefined
  if (!URL.canParse(value))
    throw new CliUsageError(`--relynt-connector must be 'echo', 'none' or a URL, got "${value}"`)
  return { url: value }
}
