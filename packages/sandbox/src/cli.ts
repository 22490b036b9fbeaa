import { parseArgs } from 'node:util'
import { startRalioSandbox } from './ralio/start-ralio-sandbox.js'
import { startRelyntSandbox } from './relynt/start-relynt-sandbox.js'
import type { ConnectorOption } from './relynt/tool-connector.js'

const usage = `Usage: x-sandbox [options]

Starts local Ralio and Relynt servers on 127.0.0.1 and prints what an SDK needs to use them.

Options:
  --ralio-port <port>        Ralio port (default 0: a free port)
  --relynt-port <port>       Relynt port (default 0: a free port)
  --stream-delay-ms <ms>     Pause between streamed chat events (default 40, human-like)
  --relynt-connector <mode>  'echo' (default), 'none', or a URL to POST allowed calls to
  --json                     Print one JSON object instead of text
  -h, --help                 Show this help
`

function fail(message: string): never {
  process.stderr.write(`x-sandbox: ${message}\n\n${usage}`)
  process.exit(2)
}

function readPort(value: string | undefined, flag: string): number {
  if (value === undefined) return 0
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`${flag} must be an integer from 0 to 65535`)
  return port
}

function readConnector(value: string | undefined): ConnectorOption | undefined {
  if (value === undefined || value === 'echo') return 'echo'
  if (value === 'none') return undefined
  if (!URL.canParse(value)) fail(`--relynt-connector must be 'echo', 'none' or a URL, got "${value}"`)
  return { url: value }
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parseCommandLine>['values']
  try {
    values = parseCommandLine().values
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  if (values.help) {
    process.stdout.write(usage)
    return
  }
  const streamDelayMs = values['stream-delay-ms'] === undefined ? 40 : Number(values['stream-delay-ms'])
  if (!Number.isFinite(streamDelayMs) || streamDelayMs < 0)
    fail('--stream-delay-ms must be a non-negative number')
  const connector = readConnector(values['relynt-connector'])

  const ralio = await startRalioSandbox({
    port: readPort(values['ralio-port'], '--ralio-port'),
    streamDelayMs,
  })
  const relynt = await startRelyntSandbox({
    port: readPort(values['relynt-port'], '--relynt-port'),
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
  }

  if (values.json) {
    process.stdout.write(
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
        env,
      })}\n`,
    )
  } else {
    process.stdout.write(
      [
        'x-sandbox is running (Ctrl+C to stop)',
        '',
        `  Ralio   ${ralio.url}    admin: ${ralio.url}/__admin`,
        `  Relynt  ${relynt.url}    admin: ${relynt.url}/__admin`,
        '',
        `  Ralio registration ticket (single use, expires ${ticket.expiresAt})`,
        `    ${ticket.ticket}`,
        `  Relynt agent credential`,
        `    agent id: ${agent.agentId}`,
        `    secret:   ${agent.secret}`,
        '',
        '# Export these for the SDKs and examples:',
        ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
        '',
      ].join('\n'),
    )
  }

  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl+C means "now".
      process.exit(130)
    }
    stopping = true
    process.stderr.write(`\nx-sandbox: ${signal} received, shutting down\n`)
    await Promise.allSettled([ralio.close(), relynt.close()])
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

function parseCommandLine() {
  return parseArgs({
    options: {
      'ralio-port': { type: 'string' },
      'relynt-port': { type: 'string' },
      'stream-delay-ms': { type: 'string' },
      'relynt-connector': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
}

main().catch((error: unknown) => {
  process.stderr.write(
    `x-sandbox: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
