import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { describe, expect, it } from 'vitest'
import { serve } from '../src/shared/serve.js'

describe('serve', () => {
  it('listens on a free loopback port when given port 0', async () => {
    const app = new Hono().get('/', (c) => c.text('ok'))
    const server = await serve(app, { port: 0 })
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(await (await fetch(server.url)).text()).toBe('ok')
    } finally {
      await server.close()
    }
  })

  it('refuses a non-loopback host', async () => {
    await expect(serve(new Hono(), { host: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })

  it('close() ends open streams instead of waiting for them', async () => {
    const app = new Hono().get('/stream', (c) =>
      streamSSE(c, async (stream) => {
        await stream.writeSSE({ data: 'first' })
        await new Promise<void>((resolve) => stream.onAbort(resolve))
      }),
    )
    const server = await serve(app)
    const response = await fetch(`${server.url}/stream`)
    const reader = response.body!.getReader()
    await reader.read()
    await server.close()
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return
      })(),
    ).rejects.toThrow()
  })
})
