import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RelyntError } from '../src/errors.js'
import { RelyntClient } from '../src/relynt-client.js'

const secret = 'rls_super-secret-value'

/** Every line logged, with its level. */
function recordingLogger() {
  const records: { level: string; message: string }[] = []
  const at = (level: string) => (message: string) => {
    records.push({ level, message })
  }
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, records }
}

afterEach(() => {
  vi.unstubAllEnvs()
})

function recordingFetch() {
  const requests: Request[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init))
    return Response.json({ decision: 'allow', receipt_id: 'rec_1' })
  })
  return { fetch, requests }
}

describe('RelyntClient options', () => {
  it('reads baseUrl, secret and agent id from the environment', async () => {
    vi.stubEnv('RELYNT_API_BASE_URL', 'https://gateway.example.com/')
    vi.stubEnv('RELYNT_AGENT_SECRET', secret)
    vi.stubEnv('RELYNT_AGENT_ID', 'agt_env')
    const { fetch, requests } = recordingFetch()
    const client = new RelyntClient({ fetch })
    expect(client.baseUrl).toBe('https://gateway.example.com')
    expect(client.agentId).toBe('agt_env')
    await client.requestAction({ action: 'a', resource: 'r' })
    expect(requests[0]!.url).toBe('https://gateway.example.com/v1/agent-tool-call')
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer agt_env:${secret}`)
  })

  it('prefers explicit options over the environment', () => {
    vi.stubEnv('RELYNT_API_BASE_URL', 'https://env.example.com')
    vi.stubEnv('RELYNT_AGENT_ID', 'agt_env')
    const client = new RelyntClient({
      baseUrl: 'https://option.example.com',
      agentId: 'agt_option',
      agentSecret: secret,
    })
    expect(client.baseUrl).toBe('https://option.example.com')
    expect(client.agentId).toBe('agt_option')
  })

  it('uses a secret already in <agentId>:<secret> form as is', async () => {
    const { fetch, requests } = recordingFetch()
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentSecret: `agt_1:${secret}`,
      fetch,
    })
    expect(client.agentId).toBe('agt_1')
    await client.requestAction({ action: 'a', resource: 'r' })
    const withId = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentId: 'agt_1',
      agentSecret: `agt_1:${secret}`,
      fetch,
    })
    await withId.requestAction({ action: 'a', resource: 'r' })
    expect(requests.map((request) => request.headers.get('authorization'))).toEqual([
      `Bearer agt_1:${secret}`,
      `Bearer agt_1:${secret}`,
    ])
  })

  it('refuses a secret that carries a different agent id than agentId, without echoing it', () => {
    const attempt = () =>
      new RelyntClient({ baseUrl: 'https://g.example.com', agentId: 'agt_A', agentSecret: `agt_B:${secret}` })
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_credentials' }))
    expect(attempt).toThrow(/agt_A/)
    expect(attempt).not.toThrow(new RegExp(secret))
  })

  it('treats RELYNT_AGENT_ID as informational: the agent the credential names wins, with a warning', async () => {
    vi.stubEnv('RELYNT_AGENT_ID', 'agt_env')
    const { fetch, requests } = recordingFetch()
    const { logger, records } = recordingLogger()
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentSecret: `agt_other:${secret}`,
      fetch,
      logger,
    })
    expect(client.agentId).toBe('agt_other')
    await client.requestAction({ action: 'a', resource: 'r' })
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer agt_other:${secret}`)
    expect(records.filter((record) => record.level === 'warn')).toEqual([
      { level: 'warn', message: expect.stringContaining('RELYNT_AGENT_ID (agt_env)') },
    ])
    expect(JSON.stringify(records)).not.toContain(secret)
  })

  it('sends a secret that names no agent as given, says so at debug level, and explains the form on a 401', async () => {
    vi.stubEnv('RELYNT_AGENT_ID', '')
    const requests: Request[] = []
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      requests.push(new Request(input, init))
      return Response.json(
        { error: { code: 'unauthorized', message: 'Invalid agent credential; it may have been rotated' } },
        { status: 401 },
      )
    }
    const { logger, records } = recordingLogger()
    const client = new RelyntClient({ baseUrl: 'https://g.example.com', agentSecret: secret, fetch, logger })
    expect(client.agentId).toBeUndefined()
    const error = await client
      .requestAction({ action: 'a', resource: 'r' })
      .catch((caught: unknown) => caught)
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer ${secret}`)
    expect(records).toContainEqual({
      level: 'debug',
      message: expect.stringContaining('it is sent as given'),
    })
    expect(error).toMatchObject({ statusCode: 401 })
    const message = (error as Error).message
    expect(message).toContain('Invalid agent credential; it may have been rotated. ')
    expect(message).toContain('<agent_id>:<secret>')
    expect(message).not.toContain(secret)
  })

  it('works with the documented { baseUrl, agentSecret } alone when the secret carries the id', async () => {
    vi.stubEnv('RELYNT_AGENT_ID', '')
    const { fetch, requests } = recordingFetch()
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentSecret: `agt_7:${secret}`,
      fetch,
    })
    await client.requestAction({ action: 'a', resource: 'r' })
    expect(client.agentId).toBe('agt_7')
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer agt_7:${secret}`)
  })

  it('generates one instance id per client and sends it on every call', async () => {
    const { fetch, requests } = recordingFetch()
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentId: 'a',
      agentSecret: secret,
      fetch,
    })
    const other = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentId: 'a',
      agentSecret: secret,
      fetch,
    })
    expect(client.instanceId).toMatch(/^[0-9a-f-]{36}$/)
    expect(other.instanceId).not.toBe(client.instanceId)
    await client.requestAction({ action: 'a', resource: 'r' })
    await client.requestAction({ action: 'b', resource: 'r' })
    const bodies = await Promise.all(requests.map((request) => request.json()))
    expect(bodies.map((body) => body.instance_id)).toEqual([client.instanceId, client.instanceId])
    const given = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentId: 'a',
      agentSecret: secret,
      instanceId: 'run-7',
    })
    expect(given.instanceId).toBe('run-7')
  })

  it('says what to set when the base URL or secret is missing', () => {
    expect(() => new RelyntClient({ agentId: 'a', agentSecret: secret })).toThrow(/RELYNT_API_BASE_URL/)
    expect(() => new RelyntClient({ baseUrl: 'https://g.example.com', agentId: 'a' })).toThrow(
      /RELYNT_AGENT_SECRET/,
    )
  })

  it('refuses plain HTTP to a non-loopback host before sending anything', async () => {
    const { fetch } = recordingFetch()
    const attempt = () =>
      new RelyntClient({ baseUrl: 'http://gateway.example.com', agentId: 'a', agentSecret: secret, fetch })
    expect(attempt).toThrow(/plain HTTP/)
    expect(attempt).toThrow(expect.objectContaining({ code: 'insecure_url' }))
    try {
      attempt()
    } catch (error) {
      expect(RelyntError.isInstance(error)).toBe(true)
      expect(String((error as Error).message)).not.toContain(secret)
    }
    expect(fetch).not.toHaveBeenCalled()
  })

  it('refuses a base URL with embedded credentials and out-of-range numbers', () => {
    expect(
      () => new RelyntClient({ baseUrl: 'https://user:pw@g.example.com', agentId: 'a', agentSecret: secret }),
    ).toThrow(/user name or password/)
    expect(
      () =>
        new RelyntClient({
          baseUrl: 'https://g.example.com',
          agentId: 'a',
          agentSecret: secret,
          maxRetries: 1.5,
        }),
    ).toThrow(/maxRetries/)
    expect(
      () =>
        new RelyntClient({
          baseUrl: 'https://g.example.com',
          agentId: 'a',
          agentSecret: secret,
          timeoutMs: -1,
        }),
    ).toThrow(/timeoutMs/)
  })

  it('allows plain HTTP to another host with allowInsecureHttp, and logs a warning', () => {
    const warnings: string[] = []
    const logger = { error() {}, warn: (message: string) => warnings.push(message), info() {}, debug() {} }
    const client = new RelyntClient({
      baseUrl: 'http://gateway.internal:8080',
      agentId: 'a',
      agentSecret: secret,
      allowInsecureHttp: true,
      logger,
    })
    expect(client.baseUrl).toBe('http://gateway.internal:8080')
    expect(warnings).toEqual([expect.stringMatching(/gateway\.internal:8080 over plain HTTP/)])
  })

  it('allows plain HTTP to loopback hosts for a local sandbox', () => {
    for (const baseUrl of [
      'http://127.0.0.1:8080',
      'http://localhost:3000',
      'http://[::1]:9000',
      'http://[::ffff:7f00:1]:9000',
    ]) {
      expect(new RelyntClient({ baseUrl, agentId: 'a', agentSecret: secret }).baseUrl).toBe(baseUrl)
    }
    // A *.localhost name may be resolved through DNS: it may not carry the secret over HTTP.
    expect(
      () => new RelyntClient({ baseUrl: 'http://api.localhost', agentId: 'a', agentSecret: secret }),
    ).toThrow(expect.objectContaining({ code: 'insecure_url' }))
  })

  it('refuses an absolute approval path that would send the secret over plain HTTP', async () => {
    const { fetch } = recordingFetch()
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentId: 'a',
      agentSecret: secret,
      approvalPath: 'http://approvals.example.com/{approvalId}',
      fetch,
    })
    await expect(client.approvals.get('apr_1')).rejects.toMatchObject({ code: 'insecure_url' })
    expect(fetch).not.toHaveBeenCalled()
  })

  it('never shows the secret in util.inspect, JSON or console output', () => {
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentId: 'agt_1',
      agentSecret: secret,
    })
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(secret)
    expect(JSON.stringify(client)).not.toContain(secret)
    expect(JSON.parse(JSON.stringify(client))).toEqual({
      baseUrl: 'https://g.example.com',
      agentId: 'agt_1',
      instanceId: client.instanceId,
      timeoutMs: 30_000,
      maxRetries: 3,
    })
    expect(inspect(client.receipts, { depth: 10, showHidden: true })).not.toContain(secret)
  })

  it('rejects bad input before any request with an invalid_argument error', async () => {
    const { fetch } = recordingFetch()
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentId: 'a',
      agentSecret: secret,
      fetch,
    })
    // @ts-expect-error: checking the runtime guard
    await expect(client.requestAction({ resource: 'r' })).rejects.toMatchObject({ code: 'invalid_argument' })
    await expect(
      // @ts-expect-error: checking the runtime guard
      client.requestAction({ action: 'a', resource: 'r', payload: [1] }),
    ).rejects.toThrow(/payload must be a plain object/)
    await expect(client.pollApproval({ approvalId: '' })).rejects.toThrow(
      /approvalId is missing; pass an approvalId/,
    )
    await expect(client.receipts.list({ from: 'yesterday' })).rejects.toThrow(/ISO 8601/)
    expect(
      () =>
        new RelyntClient({
          baseUrl: 'https://g.example.com',
          agentId: 'a',
          agentSecret: secret,
          approvalPath: '/x',
        }),
    ).toThrow(/\{approvalId\}/)
    expect(fetch).not.toHaveBeenCalled()
  })
})
