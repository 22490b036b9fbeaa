import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { mountAdminRoutes } from '../src/shared/admin-routes.js'
import { bodySizeLimit } from '../src/shared/body-size-limit.js'
import { Clock } from '../src/shared/clock.js'
import { FaultInjector, type FaultInjectorOptions } from '../src/shared/fault-injector.js'
import { type RunningServer, serve } from '../src/shared/serve.js'

export interface TestApp {
  server: RunningServer
  url: string
  faults: FaultInjector
  clock: Clock
  /** The token the admin routes require. */
  adminToken: string
  /** `Authorization: Bearer <adminToken>`, for admin requests. */
  adminHeaders: Record<string, string>
  /** How many times each handler actually ran. */
  calls: { work: number; events: number }
}

/** A tiny app with the shared pieces installed: a counting POST route and an SSE route. */
export async function startTestApp(options: FaultInjectorOptions = {}): Promise<TestApp> {
  const faults = new FaultInjector(options)
  const clock = new Clock()
  const calls = { work: 0, events: 0 }
  const app = new Hono()
  app.use(clock.dateHeader())
  app.use(bodySizeLimit((message) => ({ error: { code: 'payload_too_large', message } })))
  app.use(faults.middleware())
  app.post('/api/work', (c) => {
    calls.work += 1
    return c.json({ done: calls.work })
  })
  app.get('/api/items/:id', (c) => c.json({ id: c.req.param('id') }))
  app.get('/api/events', (c) => {
    calls.events += 1
    return streamSSE(c, async (stream) => {
      for (let index = 1; index <= 5; index++) {
        await stream.writeSSE({ event: 'tick', data: JSON.stringify({ index }) })
      }
      await stream.writeSSE({ event: 'done', data: '{}' })
    })
  })
  const adminToken = 'test-admin-token-0123456789'
  mountAdminRoutes(app, {
    adminToken,
    faults,
    clock,
    stats: () => ({ work_calls: calls.work }),
    routes: (admin) => {
      admin.get('/hello', (c) => c.json({ hello: 'admin' }))
    },
  })
  const server = await serve(app)
  const adminHeaders = { authorization: `Bearer ${adminToken}` }
  return { server, url: server.url, faults, clock, adminToken, adminHeaders, calls }
}

export function eventNames(text: string): string[] {
  return [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]!)
}
