import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Services, startServices } from './support/services.js'
import { runToExit, startUntil } from './support/x-mcp-process.js'

let services: Services
beforeAll(async () => {
  services = await startServices()
})
afterAll(() => services?.close())

describe('x-mcp start-up errors', () => {
  it('exits 1 with one line naming the variables when there is no Relynt credential', async () => {
    const { RELYNT_AGENT_ID: _id, RELYNT_AGENT_SECRET: _secret, ...env } = services.env
    const { code, stderr } = await runToExit([], env)
    expect(code).toBe(1)
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^x-mcp: .*RELYNT_AGENT_SECRET/)])
  })

  it('exits 1 with one line when there is no Ralio binding', async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), 'x-mcp-empty-'))
    try {
      const { code, stderr } = await runToExit([], { ...services.env, RALIO_CONFIG_DIR: emptyDir })
      expect(code).toBe(1)
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^x-mcp: No Ralio binding in .*register/),
      ])
    } finally {
      await rm(emptyDir, { recursive: true, force: true })
    }
  })

  it('exits 2 with the usage on an unknown option, suggesting the one meant', async () => {
    const { code, stderr } = await runToExit(['--htpp'], services.env)
    expect(code).toBe(2)
    expect(stderr).toMatch(/^x-mcp: unknown option --htpp; did you mean --http\?\n/)
    expect(stderr).toContain('Usage: x-mcp')
  })

  it('prints its version and the SDKs’ with --version, and its usage with --help, exiting 0', async () => {
    const version = await runToExit(['--version'], {})
    expect(version.code).toBe(0)
    expect(version.stderr).toMatch(
      /^x-mcp \d+\.\d+\.\d+ \(@x\/ralio \d+\.\d+\.\d+, @x\/relynt \d+\.\d+\.\d+, Node v/,
    )
    const help = await runToExit(['--help'], {})
    expect(help.code).toBe(0)
    expect(help.stderr).toContain('--version')
  })
})

describe('x-mcp --http --sandbox', () => {
  let server: ReturnType<typeof startUntil>
  let url: string
  let token: string
  beforeAll(async () => {
    server = startUntil(['--http', '--sandbox'], {}, /bearer token: \S+/)
    const stderr = await server.started
    url = /serving \d+ tools at (\S+)/.exec(stderr)![1]!
    token = /bearer token: (\S+)/.exec(stderr)![1]!
  })
  afterAll(() => server?.stop())

  it('listens on 127.0.0.1 only', () => {
    expect(new URL(url).hostname).toBe('127.0.0.1')
  })

  it('refuses a request without the bearer token it printed', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
  })

  it('refuses a request whose Host is not the loopback address, even with the token (DNS rebinding)', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(url, {
        method: 'POST',
        headers: {
          host: 'attacker.example:80',
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
      })
      request.on('response', (response) => {
        response.resume()
        resolve(response.statusCode)
      })
      request.on('error', reject)
      request.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        }),
      )
    })
    expect(status).toBe(403)
  })

  it('serves the tools to a client with the token, against its own sandboxes', async () => {
    const client = new Client({ name: 'agent-tools-test', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    )
    try {
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name)).toContain('ralio_pay')
      const result = await client.callTool({
        name: 'ralio_pay',
        arguments: { amount: '25.00', currency: 'GBP', payee: 'Acme Stationery', reference: 'a first try' },
      })
      expect(result.structuredContent).toMatchObject({ status: 'paid' })
    } finally {
      await client.close()
    }
  })

  it('logs how to approve a waiting payment, and the call completes once that is done', async () => {
    const client = new Client({ name: 'agent-tools-test', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    )
    try {
      const call = client.callTool({
        name: 'ralio_pay',
        arguments: {
          amount: '2500.00',
          currency: 'GBP',
          payee: 'Northwind Logistics',
          reference: 'http approval',
        },
      })
      // What a person trying --sandbox reads on the server's log and runs.
      const [, adminToken, approveUrl] = await server.logged(
        /ralio_pay waits for approval \S+ \(approve: curl -X POST -H 'Authorization: Bearer (\S+)' (\S+)\)/,
      )
      const approved = await fetch(approveUrl!, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}` },
      })
      expect(approved.status).toBe(200)
      expect((await call).structuredContent).toMatchObject({ status: 'paid' })
      await server.logged(/ralio_pay → paid/)
    } finally {
      await client.close()
    }
  })
})
