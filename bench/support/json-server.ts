import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

// The peer benchmark's endpoint, in its own process so client and server do not share an
// event loop: every request gets the same 20-item JSON list (a page of a list endpoint),
// with a Content-Length and keep-alive, whatever the path and method. Prints its origin as
// one JSON line; stops when its standard input closes.
const items = Array.from({ length: 20 }, (_, index) => ({
  id: `item_${String(index).padStart(4, '0')}`,
  object: 'item',
  created: 1_790_000_000 + index,
  amount: 1000 + index,
  currency: 'gbp',
  description: `Bench item ${index}`,
  metadata: { order: String(index) },
}))
const body = Buffer.from(JSON.stringify({ object: 'list', data: items, has_more: false }))

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  request.resume()
  request.on('end', () => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': body.length,
      'request-id': 'req_bench',
    })
    response.end(body)
  })
})
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
})

const stop = () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
