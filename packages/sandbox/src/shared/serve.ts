import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { createAdaptorServer, type HttpBindings } from '@hono/node-server'

/** Where a sandbox listens. */
export interface ServeOptions {
  /** 0 (the default) picks a free port; read the real one from `url`. */
  port?: number
  /** A loopback address: the sandboxes are for this machine only. Default 127.0.0.1. */
  host?: string
  /**
   * `false` starts no server: requests reach the sandbox only through its `fetch`, and its
   * `url` is an `https://…sandbox.invalid` origin that no network request can reach. Default true.
   */
  listen?: boolean
}

export interface RunningServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:53211`. */
  url: string
  /** Stops listening and destroys open connections (including streams) so callers end promptly. */
  close(): Promise<void>
}

/** Anything with a Hono-style `fetch`; a `Hono` app of any env satisfies it. */
export interface FetchApplication {
  fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1'])

/** Throws unless `host` is a loopback address. */
export function assertLoopbackHost(host: string): void {
  if (!loopbackHosts.has(host)) {
    throw new Error(
      `The sandbox only binds a loopback address (127.0.0.1, ::1 or localhost), not "${host}": it is a test server for this machine.`,
    )
  }
}

/** Starts `app` on the Node HTTP server and resolves once it is listening. */
export async function serve(app: FetchApplication, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  assertLoopbackHost(host)
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`port must be an integer from 0 to 65535, got ${String(options.port)}`)
  }

  // serve() only ever creates an HTTP/1.1 server, so the bindings are always HttpBindings.
  const server = createAdaptorServer({
    fetch: (request, env) => app.fetch(request, env as HttpBindings),
    hostname: host,
  }) as Server
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })

  const address = server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('The sandbox server did not report a TCP address')
  }
  const printableHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let closing: Promise<void> | undefined

  return {
    url: `http://${printableHost}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // server.close() waits for every keep-alive and streaming connection to end by
        // itself; a test suite must not wait for that.
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}

/**
 * Starts `app` like `serve()`, or, with `listen: false`, starts nothing and answers with
 * `inProcessOrigin`: the base URL a client uses with the sandbox's in-process `fetch`.
 * It is https so the SDKs send credentials to it, and `.invalid` (RFC 6761) so a client
 * that forgot the `fetch` option fails to resolve it instead of reaching some other server.
 */
export async function serveUnlessInProcess(
  app: FetchApplication,
  options: ServeOptions,
  inProcessOrigin: string,
): Promise<RunningServer> {
  if (options.listen === false) return { url: inProcessOrigin, close: async () => {} }
  return serve(app, options)
}
