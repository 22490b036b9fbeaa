import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { AgentToolsError } from '../errors.js'

export interface HttpServerOptions {
  port: number
  /** A server per session: each client gets its own, sharing the tools. */
  newServer: () => McpServer
  /** Default: 32 random bytes, base64url. At least {@link MIN_TOKEN_LENGTH} characters when given. */
  token?: string
  /** Sessions open at once; an initialize beyond it is refused. Default 100. */
  maxSessions?: number
  /** A session with no request for this long is closed. Default 30 min. */
  sessionIdleMs?: number
}

/** A bearer token shorter than this is refused: it could be guessed. */
export const MIN_TOKEN_LENGTH = 32
export const DEFAULT_MAX_SESSIONS = 100
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000

export interface RunningHttpServer {
  url: string
  token: string
  /** Sessions open now. */
  readonly sessions: number
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1_000_000

interface Session {
  transport: StreamableHTTPServerTransport
  lastActive: number
  /** Requests still being answered (a tool waiting for a person): the session is not idle. */
  inFlight: number
}

/**
 * Streamable HTTP on 127.0.0.1 only, at `/mcp`. Every request needs `Authorization: Bearer
 * <token>`: any local process or web page could otherwise reach a server that moves money.
 * Host headers other than this address are refused (DNS rebinding), and so is an `Origin`
 * other than the served one (a web page's request). Sessions are capped and closed when idle;
 * both are answered with a JSON-RPC error saying what to do.
 */
export async function serveHttp(options: HttpServerOptions): Promise<RunningHttpServer> {
  const token = options.token ?? randomBytes(32).toString('base64url')
  checkToken(token)
  const maxSessions = positiveSetting('maxSessions', options.maxSessions ?? DEFAULT_MAX_SESSIONS)
  const idleMs = positiveSetting('sessionIdleMs', options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS)
  const expected = Buffer.from(`Bearer ${token}`)
  const sessions = new Map<string, Session>()
  let allowedHosts: string[] = []
  let allowedOrigins: string[] = []

  const sweep = setInterval(
    () => {
      const now = Date.now()
      for (const session of sessions.values()) {
        if (session.inFlight === 0 && now - session.lastActive >= idleMs) void session.transport.close()
      }
    },
    Math.min(Math.max(idleMs / 4, 50), 60_000),
  )
  sweep.unref()

  const authorized = (request: IncomingMessage) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    if (path !== '/mcp') return reply(response, 404, 'Not found: the MCP endpoint is /mcp.')
    const origin = header(request, 'origin')
    if (origin !== undefined && !allowedOrigins.includes(origin)) {
      return reply(
        response,
        403,
        `Origin ${JSON.stringify(origin)} is not allowed: only ${allowedOrigins[0]} may call this server.`,
      )
    }
    if (!authorized(request)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="x-mcp"')
      return reply(response, 401, 'Missing or wrong bearer token: use the one x-mcp printed when it started.')
    }
    const sessionId = header(request, 'mcp-session-id')
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId)
    if (existing !== undefined) {
      existing.inFlight += 1
      existing.lastActive = Date.now()
      try {
        const body = request.method === 'POST' ? await readJson(request) : undefined
        return await existing.transport.handleRequest(request, response, body)
      } finally {
        existing.inFlight -= 1
        existing.lastActive = Date.now()
      }
    }
    if (sessionId !== undefined) {
      return reply(
        response,
        404,
        `Unknown or expired session (sessions close after ${describeMs(idleMs)} without a request): initialize a new one.`,
        SESSION_NOT_FOUND,
      )
    }
    if (request.method !== 'POST')
      return reply(response, 400, 'Start a session with an initialize request (POST).')
    const body = await readJson(request)
    if (!isInitializeRequest(body)) return reply(response, 400, 'Start a session with an initialize request.')
    if (sessions.size >= maxSessions) {
      response.setHeader('Retry-After', '60')
      return reply(
        response,
        503,
        `This server already has its maximum of ${maxSessions} sessions open: close one (DELETE /mcp with its ` +
          `Mcp-Session-Id), or retry once an idle one closes (after ${describeMs(idleMs)} without a request).`,
        TOO_MANY_SESSIONS,
      )
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, lastActive: Date.now(), inFlight: 0 })
      },
      enableDnsRebindingProtection: true,
      allowedHosts,
    })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    await options.newServer().connect(transport)
    await transport.handleRequest(request, response, body)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof BodyError) return reply(response, error.status, error.message)
      if (!response.headersSent) reply(response, 500, 'Internal error')
      else response.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`]
  allowedOrigins = allowedHosts.map((host) => `http://${host}`)
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    get sessions() {
      return sessions.size
    },
    async close() {
      clearInterval(sweep)
      await Promise.allSettled([...sessions.values()].map((session) => session.transport.close()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new BodyError(413, 'Request body too large.')
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new BodyError(400, 'The request body is not JSON.')
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

// JSON-RPC server-error codes (-32000…-32099), one per refusal a client may want to tell apart.
const SERVER_ERROR = -32000
const SESSION_NOT_FOUND = -32001
const TOO_MANY_SESSIONS = -32002

function reply(response: ServerResponse, status: number, message: string, code = SERVER_ERROR): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }))
}

/**
 * The bearer token as given, never trimmed: at least 32 characters of visible ASCII (what an
 * `Authorization` header carries intact), or the server refuses to start.
 */
export function checkToken(token: string): void {
  if (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new AgentToolsError(
      `The bearer token must be at least ${MIN_TOKEN_LENGTH} characters of visible ASCII with no spaces ` +
        `(it has ${token.length}${/[^\x21-\x7e]/.test(token) ? ', some of them spaces or other characters' : ''}). ` +
        'Unset X_MCP_HTTP_TOKEN for a random one, or make one with: openssl rand -base64 32',
      { code: 'weak_token' },
    )
  }
}

function positiveSetting(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new AgentToolsError(`${name} must be a positive number, got ${String(value)}.`, {
      code: 'invalid_argument',
    })
  }
  return value
}

function describeMs(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`
}
