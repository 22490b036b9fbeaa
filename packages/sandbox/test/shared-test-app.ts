import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { mountAdminRoutes } from '../src/shared/admin-routes.js'
import { Clock } from '../src/shared/clock.js'
import { FaultInjector, type FaultInjectorOptions } from '../src/shared/fault-injector.js'
import { type RunningServer, serve } from '../src/shared/serve.js'

export interface TestApp {
  server: RunningServer
  url: string
  faults: FaultInjector
  clock: Clock
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
  mountAdminRoutes(app, {
    faults,
    clock,
    stats: () => ({ work_calls: calls.work }),
    routes: (admin) => {
      admin.get('/hello', (c) => c.json({ hello: 'admin' }))
    },
  })
  const server = await serve(app)
  return { server, url: server.url, faults, clock, calls }
}

export function eventNames(text: string): string[] {
  return [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]!)
}
