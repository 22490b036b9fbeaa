import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SseServer {
  url: string
  close(): Promise<void>
}

/** A chat stream on the wire: `conversation`, `deltas` × `text_delta`, then `reply`. */
export function chatStreamBody(deltas: number, text: string): Buffer {
  const delta = `event: text_delta\ndata: ${JSON.stringify({ text })}\n\n`
  return Buffer.concat([
    Buffer.from(conversationEvent),
    Buffer.from(delta.repeat(deltas)),
    Buffer.from(`event: reply\ndata: ${JSON.stringify({ text: text.repeat(Math.min(deltas, 10)) })}\n\n`),
  ])
}

const conversationEvent = `event: conversation\ndata: ${JSON.stringify({ conversation_id: 'conv_bench' })}\n\n`

/**
 * Serves chat streams on loopback. `/prebuilt` sends one pre-built body (the same bytes
 * every time); `/generated?bytes=N&text=…` writes about N bytes of `text_delta` events as the
 * reader takes them, honouring backpressure, so the server never holds the stream.
 */
export async function startSseServer(prebuilt: Buffer): Promise<SseServer> {
  const server = createServer((request, response) => {
    // Drain the request body (the SDK POSTs the chat message) before answering.
    request.resume()
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost')
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      if (url.pathname === '/generated') {
        void generate(
          request,
          response,
          Number(url.searchParams.get('bytes')),
          url.searchParams.get('text') ?? 'x',
        )
      } else {
        response.end(prebuilt)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function generate(request: IncomingMessage, response: ServerResponse, bytes: number, text: string) {
  const delta = Buffer.from(`event: text_delta\ndata: ${JSON.stringify({ text })}\n\n`)
  // 64 events per write keeps syscalls few without building anything large.
  const chunk = Buffer.concat(Array.from({ length: 64 }, () => delta))
  let closed = false
  request.socket.once('close', () => {
    closed = true
  })
  response.write(conversationEvent)
  for (let written = 0; written < bytes && !closed; written += chunk.length) {
    if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve))
  }
  response.end(`event: reply\ndata: ${JSON.stringify({ text })}\n\n`)
}
