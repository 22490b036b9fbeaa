import { request as httpRequest } from 'node:http'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import { type RelyntSandbox, startRelyntSandbox } from '../src/relynt/start-relynt-sandbox.js'
import { maxRequestBodyBytes } from '../src/shared/body-size-limit.js'
import { startTestApp, type TestApp } from './shared-test-app.js'

/** A request with headers fetch will not let us set (Host), read to the end. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        )
      },
    )
    // The server may answer 413 and close before the whole body is written.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error)
    })
    request.end(options.body)
  })
}

let app: TestApp

beforeEach(async () => {
  app = await startTestApp()
})
afterEach(async () => {
  await app.server.close()
})

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe('admin token', () => {
  it('refuses an admin request without the token with 401 and a Bearer challenge', async () => {
    const response = await fetch(`${app.url}/__admin/stats`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } })
  })

  it('refuses a wrong token, and answers the right one', async () => {
    expect((await fetch(`${app.url}/__admin/stats`, { headers: bearer(`${app.adminToken}x`) })).status).toBe(
      401,
    )
    expect((await fetch(`${app.url}/__admin/stats`, { headers: bearer(app.adminToken) })).status).toBe(200)
  })

  it('adds no fault for a request without the token', async () => {
    const response = await fetch(`${app.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '*', status: 500 }),
    })
    expect(response.status).toBe(401)
    expect(app.faults.list()).toEqual([])
  })

  it('leaves the API routes to their own authentication', async () => {
    expect((await fetch(`${app.url}/api/items/1`)).status).toBe(200)
  })
})

describe('admin requests from a web page', () => {
  it('refuses a Host that is not loopback (DNS rebinding), even with the token', async () => {
    const response = await rawRequest(`${app.url}/__admin/stats`, {
      headers: { host: `rebind.example:${new URL(app.url).port}`, ...app.adminHeaders },
    })
    expect(response.status).toBe(403)
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'forbidden_host' } })
  })

  it.each(['localhost', '127.0.0.1'])('answers a request addressed to %s', async (hostname) => {
    const response = await rawRequest(`${app.url}/__admin/stats`, {
      headers: { host: `${hostname}:${new URL(app.url).port}`, ...app.adminHeaders },
    })
    expect(response.status).toBe(200)
  })

  it('refuses a text/plain POST from another site (CSRF) and adds nothing', async () => {
    const response = await fetch(`${app.url}/__admin/faults`, {
      method: 'POST',
      headers: { origin: 'https://attacker.example', 'content-type': 'text/plain', ...app.adminHeaders },
      body: JSON.stringify({ route: '*', status: 500 }),
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: { code: 'forbidden_origin' } })
    expect(app.faults.list()).toEqual([])
  })

  it.each([
    ['an opaque origin', { origin: 'null' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses %s', async (_name, headers) => {
    const response = await fetch(`${app.url}/__admin/stats`, { headers: { ...headers, ...app.adminHeaders } })
    expect(response.status).toBe(403)
  })

  it('answers a page served from this machine that holds the token', async () => {
    const response = await fetch(`${app.url}/__admin/stats`, {
      headers: { origin: 'http://localhost:5173', ...app.adminHeaders },
    })
    expect(response.status).toBe(200)
  })
})

describe('request body limit', () => {
  const tooLarge = 'x'.repeat(maxRequestBodyBytes + 1)

  it('answers 413 to an admin body over the limit', async () => {
    const response = await rawRequest(`${app.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.adminHeaders },
      body: tooLarge,
    })
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'payload_too_large' } })
  })

  it('answers 413 to a streamed body that declares no length', async () => {
    const response = await rawRequest(`${app.url}/api/work`, {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: tooLarge,
    })
    expect(response.status).toBe(413)
    expect(app.calls.work).toBe(0)
  })

  it('accepts a body at the limit', async () => {
    const response = await rawRequest(`${app.url}/api/work`, {
      method: 'POST',
      body: 'x'.repeat(maxRequestBodyBytes),
    })
    expect(response.status).toBe(200)
  })
})

describe('both sandboxes', () => {
  let relynt: RelyntSandbox
  let ralio: RalioSandbox
  beforeAll(async () => {
    relynt = await startRelyntSandbox()
    ralio = await startRalioSandbox({ adminToken: 'a-token-chosen-by-the-test' })
  })
  afterAll(async () => {
    await Promise.all([relynt.close(), ralio.close()])
  })

  it('each requires its admin token over HTTP, and a chosen one is used as given', async () => {
    expect(relynt.adminToken).toMatch(/^[\w-]{43}$/)
    expect(ralio.adminToken).toBe('a-token-chosen-by-the-test')
    for (const sandbox of [relynt, ralio]) {
      expect((await fetch(`${sandbox.url}/__admin/stats`)).status).toBe(401)
      expect(
        (await fetch(`${sandbox.url}/__admin/stats`, { headers: bearer(sandbox.adminToken) })).status,
      ).toBe(200)
    }
  })

  it('refuses an admin token too short to guess-proof', async () => {
    await expect(startRelyntSandbox({ adminToken: 'short' })).rejects.toThrow(TypeError)
  })

  it.each([
    ['Relynt API', () => `${relynt.url}/v1/agent-tool-call`, 'error'],
    ['Relynt admin', () => `${relynt.url}/__admin/policy`, 'error'],
    ['Ralio API', () => `${ralio.url}/api/chat`, 'detail'],
    ['Ralio admin', () => `${ralio.url}/__admin/tickets`, 'detail'],
  ])('answers 413 to an oversized body on the %s', async (_name, url, errorKey) => {
    const response = await rawRequest(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(maxRequestBodyBytes + 1, 'x'),
    })
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body)).toHaveProperty(errorKey)
  })

  it('keeps answering when a fault rule with a dozen stars meets a long path', async () => {
    const pattern = `GET /${'a*'.repeat(12)}b`
    const added = await fetch(`${relynt.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(relynt.adminToken) },
      body: JSON.stringify({ route: pattern, status: 503 }),
    })
    expect(added.status).toBe(201)
    const response = await fetch(`${relynt.url}/${'a'.repeat(60)}`)
    expect(response.status).toBe(404)
    relynt.clearFaults()
  })
})
