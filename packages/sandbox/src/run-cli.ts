import {
  CommandLineError,
  jsonLine,
  parseCommandLine as parseFlags,
  visibleText,
} from '@x/core/internal/terminal'
import { adminCommandUsage, isAdminCommand, runAdminCommand } from './admin-command.js'
import { CliUsageError } from './cli-usage-error.js'
import { startRalioSandbox } from './ralio/start-ralio-sandbox.js'
import { type PendingApprovalEvent, startRelyntSandbox } from './relynt/start-relynt-sandbox.js'
import type { ConnectorOption } from './relynt/tool-connector.js'
import {
  removeRunningSandboxFile,
  runningSandboxFilePath,
  writeRunningSandboxFile,
} from './running-sandbox-file.js'
import { createAdminToken } from './shared/admin-access.js'
import type { SandboxRequestLogEntry } from './shared/request-log.js'
import { VERSION } from './version.js'

export { CliCommandError, CliUsageError } from './cli-usage-error.js'

export const cliUsage = `Usage: x-sandbox [options]

Starts local Ralio and Relynt servers on 127.0.0.1 and prints what an SDK needs to use them,
the admin token their /__admin routes require (Authorization: Bearer <token>) and a login link
for the approvals console. Then logs one line per request, and for each call waiting for
approval the commands that decide it.

Options:
  --ralio-port <port>        Ralio port (default 0: a free port)
  --relynt-port <port>       Relynt port (default 0: a free port)
  --stream-delay-ms <ms>     Pause between streamed chat events (default 40, human-like)
  --relynt-connector <mode>  'echo' (default), 'none', or a URL to POST allowed calls to
  --json                     Print one JSON object, then one JSON line per event, instead of text
  -h, --help                 Show this help
  --version                  Print the version

${adminCommandUsage}`

/** Where `runCli` reads its environment and records the running sandbox; for tests. */
export interface RunCliOptions {
  env?: NodeJS.ProcessEnv
  /** The running-sandbox file; default from `env` (see `runningSandboxFilePath`). */
  stateFile?: string
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
export async function runCli(
  argv: string[],
  write: (text: string) => void,
  options: RunCliOptions = {},
): Promise<RunningCli | undefined> {
  const environment = options.env ?? process.env
  if (isAdminCommand(argv)) {
    await runAdminCommand(argv, { write, env: environment })
    return undefined
  }
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
  const log = values.json ? jsonEventLog(write) : textEventLog(write)
  const ralio = await startRalioSandbox({
    port: ralioPort,
    streamDelayMs,
    adminToken,
    onRequest: (entry) => log.request('ralio', entry),
  })
  const relynt = await startRelyntSandbox({
    port: relyntPort,
    adminToken,
    ralio,
    onRequest: (entry) => log.request('relynt', entry),
    onPendingApproval: (approval) => log.pendingApproval(approval),
    ...(connector === undefined ? {} : { connector }),
  }).catch(async (error: unknown) => {
    await ralio.close()
    throw error
  })

  const stateFile = options.stateFile ?? runningSandboxFilePath(environment)
  await writeRunningSandboxFile(stateFile, {
    pid: process.pid,
    ralioUrl: ralio.url,
    relyntUrl: relynt.url,
    adminToken,
  })

  const consoleUrl = relynt.consoleUrl
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
        console_url: consoleUrl,
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
        `  approve in your browser: ${consoleUrl}`,
        '    (the link signs one browser in and works once; `x-sandbox console` prints a new one)',
        '',
        '# Export these for the SDKs and examples:',
        ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
        '',
      ].join('\n'),
    )
  }

  return {
    async close() {
      await Promise.allSettled([
        ralio.close(),
        relynt.close(),
        removeRunningSandboxFile(stateFile, process.pid),
      ])
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

interface EventLog {
  request(sandbox: 'ralio' | 'relynt', entry: SandboxRequestLogEntry): void
  pendingApproval(approval: PendingApprovalEvent): void
}

const payloadShown = 300

// Paths, resources, payloads and names came from an agent: each goes through visibleText so
// no request can move the cursor, recolour or clear the approver's terminal.
function textEventLog(write: (text: string) => void): EventLog {
  const time = () => new Date().toISOString().slice(11, 19)
  return {
    request(sandbox, entry) {
      const decision = entry.decision === undefined ? '' : ` ${visibleText(entry.decision)}`
      write(
        `${time()} ${sandbox.padEnd(6)} ${entry.method} ${visibleText(entry.path)} ${entry.status}${decision}\n`,
      )
    },
    pendingApproval(approval) {
      const id = approval.approvalId
      let payload = visibleText(JSON.stringify(approval.payload))
      if (payload.length > payloadShown)
        payload = `${payload.slice(0, payloadShown)}… (cut; the console shows all)`
      write(
        [
          `${time()} relynt approval ${id} is waiting (risk ${visibleText(approval.riskLevel)}, expires ${approval.expiresAt})`,
          `           ${visibleText(approval.action)} on ${visibleText(approval.resource)}`,
          `           agent ${visibleText(approval.agentName)} (${approval.agentId}), instance ${visibleText(approval.instanceId)}`,
          `           payload ${payload}`,
          `           approve: x-sandbox approve ${id} --as <your name> [--reason <text>]`,
          `           deny:    x-sandbox deny ${id} [--reason <text>]`,
          '',
        ].join('\n'),
      )
    },
  }
}

// JSON strings escape C0 controls but not C1 or bidirectional ones; jsonLine escapes those too.
function jsonEventLog(write: (text: string) => void): EventLog {
  return {
    request(sandbox, entry) {
      write(jsonLine({ event: 'request', sandbox, ...entry }))
    },
    pendingApproval(approval) {
      write(jsonLine({ event: 'pending_approval', ...approval }))
    },
  }
}
