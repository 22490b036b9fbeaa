import { parseArgs } from 'node:util'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { createMcpServer, type McpServerOptions } from '../adapters/mcp.js'
import { isObservedOutcome, type ToolOutcome } from '../agent-tool.js'
import { AgentToolsError } from '../errors.js'
import { createAgentTools } from '../tools/create-agent-tools.js'
import { connectClients, type Environment } from './connect-clients.js'
import { serveHttp } from './serve-http.js'
import type { Sandboxes } from './start-sandboxes.js'

export const usage = `Usage: x-mcp [options]

Serves Ralio payments and Relynt checks as Model Context Protocol tools. Every payment is
authorised by your Relynt policy first, waits for a person when the policy says so, and
leaves a signed receipt.

Options:
  --http                  Streamable HTTP on 127.0.0.1 instead of stdio; prints the URL and
                          the bearer token every request must carry
  --port <port>           Port for --http (default 0: a free port)
  --sandbox               Start local Ralio and Relynt sandboxes in this process (no account needed)
  --defer                 Answer "pending_approval" at once instead of waiting for a person;
                          relynt_check_approval finishes the call later
  --approval-timeout <s>  How long a tool waits for a person (default 120)
  -h, --help              Show this help

Environment (as for the SDKs; ignored with --sandbox):
  RALIO_API_URL, RALIO_CONFIG_DIR          the Ralio API and the binding register() saved
  RELYNT_API_BASE_URL, RELYNT_AGENT_ID, RELYNT_AGENT_SECRET
  X_MCP_HTTP_TOKEN                         a fixed bearer token for --http (default: a new random one)
`

/** A command-line mistake: printed with the usage, exit 2. */
export class UsageError extends AgentToolsError {
  static override readonly brand: symbol = Symbol.for('x.error.agent-tools.UsageError')
}

export interface XMcpIo {
  env: Environment
  /** Human-readable lines. With stdio, stdout is the protocol, so everything goes here. */
  log: (line: string) => void
  stdin?: NodeJS.ReadableStream
  stdout?: NodeJS.WritableStream
}

export interface RunningXMcp {
  close(): Promise<void>
  /** Resolves when the client went away (stdio closed). */
  closed: Promise<void>
}

/** Runs `x-mcp` as the command does; signal handling stays in x-mcp.ts so a test can run it in-process. */
export async function runXMcp(argv: string[], io: XMcpIo): Promise<RunningXMcp | undefined> {
  const options = parseCommandLine(argv)
  if (options.help) {
    io.log(usage)
    return undefined
  }
  const closers: Array<() => Promise<void> | void> = []
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne()
  }
  try {
    let env = io.env
    let sandboxAdminToken: string | undefined
    if (options.sandbox) {
      const { startSandboxes } = await import('./start-sandboxes.js')
      const sandboxes: Sandboxes = await startSandboxes()
      closers.push(() => sandboxes.close())
      env = sandboxes.env
      sandboxAdminToken = sandboxes.relynt.adminToken
      io.log(
        `x-mcp: sandboxes started. Ralio ${sandboxes.ralio.url}, Relynt ${sandboxes.relynt.url}\n` +
          `x-mcp: Acme Stationery and Northwind Logistics are paid up to 1000; larger payments and every other payee wait for approval; "Globex Holdings" is blocked.\n` +
          `x-mcp: approve in your browser: ${sandboxes.relynt.consoleUrl}\n` +
          `x-mcp: approve a pending one with: curl -X POST -H 'Authorization: Bearer ${sandboxes.relynt.adminToken}' ${sandboxes.relynt.url}/__admin/approvals/<approvalId>/approve`,
      )
    }
    const { ralio, relynt } = await connectClients(env)
    closers.push(
      () => ralio.close(),
      () => relynt.close(),
    )
    const relyntUrl = relynt.baseUrl
    // The sandbox's admin token guards only this throwaway local sandbox: printing it is how a person plays the approver.
    const approveHeader = options.sandbox ? `-H 'Authorization: Bearer ${sandboxAdminToken}' ` : ''
    const serverOptions: McpServerOptions = {
      // The operator's view of what the model does; with --sandbox, how to play the approver.
      onProgress: (progress) => {
        if (progress.attempt !== 0) return
        io.log(
          `x-mcp: ${progress.toolName} waits for approval ${progress.approvalId}` +
            (options.sandbox
              ? ` (approve: curl -X POST ${approveHeader}${relyntUrl}/__admin/approvals/${progress.approvalId}/approve)`
              : ''),
        )
      },
      onOutcome: (outcome, toolName) => io.log(`x-mcp: ${toolName} → ${describeOutcome(outcome)}`),
      onCancelled: (toolName) => io.log(`x-mcp: ${toolName} cancelled by the client; nothing was done`),
    }
    const tools = createAgentTools({
      ralio,
      relynt,
      pending: options.defer ? 'defer' : 'wait',
      approvalTimeoutMs: options.approvalTimeoutMs,
    })

    if (options.http) {
      const token = io.env.X_MCP_HTTP_TOKEN?.trim() || undefined
      const http = await serveHttp({
        port: options.port,
        newServer: () => createMcpServer(tools, serverOptions),
        token,
      })
      closers.push(() => http.close())
      io.log(`x-mcp: serving ${tools.length} tools at ${http.url}\nx-mcp: bearer token: ${http.token}`)
      return { close, closed: new Promise(() => {}) }
    }
    const server = createMcpServer(tools, serverOptions)
    const transport = new StdioServerTransport(
      io.stdin as ConstructorParameters<typeof StdioServerTransport>[0],
      io.stdout as ConstructorParameters<typeof StdioServerTransport>[1],
    )
    const closed = new Promise<void>((resolve) => {
      const stdin = io.stdin ?? process.stdin
      stdin.once('end', () => resolve())
      stdin.once('close', () => resolve())
    })
    await server.connect(transport)
    closers.push(() => server.close())
    io.log(`x-mcp: serving ${tools.length} tools on stdio (relynt instance ${relynt.instanceId})`)
    return { close, closed }
  } catch (error) {
    await close()
    throw error
  }
}

interface CommandLine {
  help: boolean
  http: boolean
  port: number
  sandbox: boolean
  defer: boolean
  approvalTimeoutMs: number | undefined
}

function parseCommandLine(argv: string[]): CommandLine {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        http: { type: 'boolean' },
        port: { type: 'string' },
        sandbox: { type: 'boolean' },
        defer: { type: 'boolean' },
        'approval-timeout': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    throw new UsageError((error as Error).message, { code: 'usage' })
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be 0–65535.')
  if (values.port !== undefined && !values.http) throw new UsageError('--port only applies with --http.')
  const timeout = values['approval-timeout']
  const seconds = timeout === undefined ? undefined : Number(timeout)
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) {
    throw new UsageError('--approval-timeout must be a number of seconds, 0 or more.')
  }
  return {
    help: values.help === true,
    http: values.http === true,
    port,
    sandbox: values.sandbox === true,
    defer: values.defer === true,
    approvalTimeoutMs: seconds === undefined ? undefined : seconds * 1000,
  }
}

/** One line per call for the operator: the status and what identifies it, never the input. */
function describeOutcome(outcome: ToolOutcome): string {
  if (isObservedOutcome(outcome)) {
    return `${outcome.status}${outcome.receiptId ? ` (receipt ${outcome.receiptId})` : ''}: ${outcome.message}`
  }
  switch (outcome.status) {
    case 'allowed':
      return `allowed (receipt ${outcome.receiptId}${outcome.approvedBy ? `, approved by ${outcome.approvedBy}` : ''})`
    case 'denied':
      return `denied (receipt ${outcome.receiptId}): ${outcome.reason}`
    case 'pending_approval':
      return `pending approval ${outcome.approvalId}`
    case 'failed':
      return `failed: ${outcome.error.code}`
    default:
      return outcome.status
  }
}
