import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export type Handler = (
  request: IncomingMessage & { body: string },
  response: ServerResponse,
  index: number,
) => void | Promise<void>

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  requests: RecordedRequest[]
  /** Resolves when the server saw a client connection close (for "consumer broke off" tests). */
  connectionClosed: Promise<void>
  close(): Promise<void>
}

/**
 * A real HTTP server on loopback (port 0). `handler` receives the request index so a test
 * can script "first 503, then 200". Sockets are destroyed on close so no test hangs.
 */
export async function startServer(handler: Handler): Promise<LocalServer> {
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  let markClosed: () => void = () => {}
  const connectionClosed = new Promise<void>((resolve) => {
    markClosed = resolve
  })
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const index = requests.length
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body })
      Promise.resolve(handler(Object.assign(request, { body }), response, index)).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)))
      })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => {
      sockets.delete(socket)
      markClosed()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connectionClosed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

/** A port on loopback that nothing listens on: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

export interface Flood {
  /** Bytes handed to the socket before it closed (or `max` was reached). */
  written: Promise<number>
}

/**
 * Writes `chunk` again and again, waiting for the socket to drain between writes (so
 * `written` counts what the client could have read, not what piles up here), until the
 * client closes the connection or `max` bytes went out. A hostile server's endless body.
 */
export function flood(response: ServerResponse, chunk: string, max: number): Flood {
  const written = new Promise<number>((resolve) => {
    let total = 0
    let done = false
    const finish = () => {
      if (done) return
      done = true
      resolve(total)
    }
    response.on('close', finish)
    const pump = () => {
      while (!done && total < max) {
        total += Buffer.byteLength(chunk)
        if (!response.write(chunk)) {
          response.once('drain', pump)
          return
        }
      }
      if (!done) {
        response.end()
        finish()
      }
    }
    pump()
  })
  return { written }
}
