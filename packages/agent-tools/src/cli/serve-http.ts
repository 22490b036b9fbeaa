import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'

export interface HttpServerOptions {
  port: number
  /** A server per session: each client gets its own, sharing the tools. */
  newServer: () => McpServer
  /** Default: 32 random bytes, base64url. */
  token?: string
}

export interface RunningHttpServer {
  url: string
  token: string
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1_000_000

/**
 * Streamable HTTP on 127.0.0.1 only, at `/mcp`. Every request needs `Authorization: Bearer
 * <token>`: any local process or web page could otherwise reach a server that moves money.
 * Host headers other than this address are refused (DNS rebinding).
 */
export async function serveHttp(options: HttpServerOptions): Promise<RunningHttpServer> {
  const token = options.token ?? randomBytes(32).toString('base64url')
  const expected = Buffer.from(`Bearer ${token}`)
  const sessions = new Map<string, StreamableHTTPServerTransport>()
  let allowedHosts: string[] = []

  const authorized = (request: IncomingMessage) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    if (path !== '/mcp') return reply(response, 404, 'Not found: the MCP endpoint is /mcp.')
    if (!authorized(request)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="x-mcp"')
      return reply(response, 401, 'Missing or wrong bearer token: use the one x-mcp printed when it started.')
    }
    const sessionId = header(request, 'mcp-session-id')
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId)
    if (existing !== undefined) {
      const body = request.method === 'POST' ? await readJson(request) : undefined
      return existing.handleRequest(request, response, body)
    }
    if (sessionId !== undefined)
      return reply(response, 404, 'Unknown or closed session: initialize a new one.')
    if (request.method !== 'POST')
      return reply(response, 400, 'Start a session with an initialize request (POST).')
    const body = await readJson(request)
    if (!isInitializeRequest(body)) return reply(response, 400, 'Start a session with an initialize request.')
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport)
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
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    async close() {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()))
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

function reply(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }))
}
