import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { parseCommandLine as parseFlags } from '@x/core/internal/terminal'
import { VERSION as RALIO_VERSION } from '@x/ralio'
import { VERSION as RELYNT_VERSION } from '@x/relynt'
import { createMcpServer, type McpServerOptions } from '../adapters/mcp.js'
import { isObservedOutcome, type ToolOutcome } from '../agent-tool.js'
import { DEFAULT_APPROVAL_TIMEOUT_MS } from '../guarded-tool.js'
import { createAgentTools } from '../tools/create-agent-tools.js'
import { VERSION } from '../version.js'
import { connectClients, type Environment } from './connect-clients.js'
import { openStore } from './open-store.js'
import { selectTools } from './select-tools.js'
import { checkToken, DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS, serveHttp } from './serve-http.js'
import type { Sandboxes } from './start-sandboxes.js'
import { UsageError } from './usage-error.js'

export { UsageError }

export const usage = `Usage: x-mcp [options]

Serves Ralio payments and Relynt checks as Model Context Protocol tools. Every payment is
authorised by your Relynt policy first, waits for a person when the policy says so, and
leaves a signed receipt.

Options:
  --http                  Streamable HTTP on 127.0.0.1 instead of stdio; prints the URL and
                          the bearer token every request must carry
  --port <port>           Port for --http (default 0: a free port)
  --max-sessions <n>      Sessions --http keeps open at once (default ${DEFAULT_MAX_SESSIONS})
  --session-idle <s>      Close an --http session after this long without a request
                          (default ${DEFAULT_SESSION_IDLE_MS / 1000}, 30 min)
  --sandbox               Start local Ralio and Relynt sandboxes in this process (no account needed)
  --tools <a,b>           Serve only these tools (relynt_check_approval comes with a guarded one)
  --read-only             Serve only the tools that change nothing (lists, simulate, verify)
  --defer                 Answer "pending_approval" at once instead of waiting for a person;
                          relynt_check_approval finishes the call later
  --approval-timeout <s>  How long a tool waits for a person before answering "pending_approval"
                          with the approval id (default ${DEFAULT_APPROVAL_TIMEOUT_MS / 1000}). Keep it under your MCP
                          client's request timeout (60 s by default in the MCP SDKs): a client
                          that gives up first never sees the approval id
  --store <url>           Where calls waiting for a person are kept: "memory" (default, this
                          process) or redis://host:port, shared by replicas and restarts, so
                          relynt_check_approval finishes a call on any of them, exactly once
  -h, --help              Show this help
  --version               Print the version of x-mcp and of the SDKs it uses

Environment (as for the SDKs; ignored with --sandbox):
  RALIO_API_URL, RALIO_CONFIG_DIR          the Ralio API and the binding register() saved
  RELYNT_API_BASE_URL, RELYNT_AGENT_ID, RELYNT_AGENT_SECRET
  X_MCP_HTTP_TOKEN                         a fixed bearer token for --http, at least 32 characters
                                           (default: a new random one)
  X_MCP_STORE                              the same as --store
`

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
  if (options.version) {
    io.log(
      `x-mcp ${VERSION} (@x/ralio ${RALIO_VERSION}, @x/relynt ${RELYNT_VERSION}, Node ${process.version})`,
    )
    return undefined
  }
  const closers: Array<() => Promise<void> | void> = []
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne()
  }
  try {
    // Checked before anything starts: a guessable token is refused, never trimmed into shape.
    const token = options.http && io.env.X_MCP_HTTP_TOKEN ? io.env.X_MCP_HTTP_TOKEN : undefined
    if (token !== undefined) checkToken(token)
    const { store, description: storeDescription } = await openStore(
      options.store ?? (io.env.X_MCP_STORE || undefined),
    )
    closers.push(() => store.close?.())
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
      tools: selectTools({ names: options.tools, readOnly: options.readOnly }),
      pending: options.defer ? 'defer' : 'wait',
      approvalTimeoutMs: options.approvalTimeoutMs,
      pendingCalls: store,
    })
    io.log(`x-mcp: calls waiting for a person are kept ${storeDescription}`)

    if (options.http) {
      const http = await serveHttp({
        port: options.port,
        newServer: () => createMcpServer(tools, serverOptions),
        token,
        maxSessions: options.maxSessions,
        sessionIdleMs: options.sessionIdleMs,
      })
      closers.push(() => http.close())
      // A token the operator chose is theirs already: print it only when x-mcp made it up.
      io.log(
        `x-mcp: serving ${tools.length} tools at ${http.url}\nx-mcp: bearer token: ` +
          (token === undefined ? http.token : '(X_MCP_HTTP_TOKEN)'),
      )
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
  version: boolean
  http: boolean
  port: number
  sandbox: boolean
  defer: boolean
  approvalTimeoutMs: number | undefined
  store: string | undefined
  tools: string[] | undefined
  readOnly: boolean
  maxSessions: number | undefined
  sessionIdleMs: number | undefined
}

function parseCommandLine(argv: string[]): CommandLine {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseFlags(argv, {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      http: { type: 'boolean' },
      port: { type: 'string' },
      sandbox: { type: 'boolean' },
      defer: { type: 'boolean' },
      'approval-timeout': { type: 'string' },
      store: { type: 'string' },
      tools: { type: 'string' },
      'read-only': { type: 'boolean' },
      'max-sessions': { type: 'string' },
      'session-idle': { type: 'string' },
    }) as { values: Record<string, string | boolean | undefined> })
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
  const maxSessions = values['max-sessions'] === undefined ? undefined : Number(values['max-sessions'])
  if (maxSessions !== undefined && (!Number.isInteger(maxSessions) || maxSessions < 1)) {
    throw new UsageError('--max-sessions must be a whole number, 1 or more.')
  }
  const idle = values['session-idle'] === undefined ? undefined : Number(values['session-idle'])
  if (idle !== undefined && (!Number.isFinite(idle) || idle <= 0)) {
    throw new UsageError('--session-idle must be a number of seconds, more than 0.')
  }
  for (const name of ['max-sessions', 'session-idle'] as const) {
    if (values[name] !== undefined && !values.http)
      throw new UsageError(`--${name} only applies with --http.`)
  }
  const tools =
    typeof values.tools === 'string'
      ? values.tools
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
      : undefined
  if (tools !== undefined && tools.length === 0)
    throw new UsageError('--tools needs tool names, e.g. --tools ralio_pay,ralio_list_transactions.')
  return {
    store: typeof values.store === 'string' ? values.store : undefined,
    tools,
    readOnly: values['read-only'] === true,
    maxSessions,
    sessionIdleMs: idle === undefined ? undefined : idle * 1000,
    help: values.help === true,
    version: values.version === true,
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
