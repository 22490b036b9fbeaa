import { afterEach, describe, expect, it, vi } from 'vitest'
import { RelyntClient } from '../src/relynt-client.js'

const secret = 'agt_1:rls_call-options-secret'

function recordingFetch(
  answer: () => Response = () => Response.json({ decision: 'allow', receipt_id: 'rec_1' }),
) {
  const requests: Request[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init))
    return answer()
  }
  return { fetch, requests }
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('per-call options { signal, timeoutMs, maxRetries, headers } and defaultHeaders', () => {
  it('sends defaultHeaders on every call and a call’s own headers over them', async () => {
    const { fetch, requests } = recordingFetch()
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentSecret: secret,
      fetch,
      defaultHeaders: { 'x-team': 'payments', 'x-trace': 'client' },
    })
    await client.requestAction({ action: 'a', resource: 'r', headers: { 'x-trace': 'call-1' } })
    await client.receipts.get('rec_1', { headers: { 'x-call': 'yes' } }).catch(() => undefined)
    expect(requests.map((request) => request.headers.get('x-team'))).toEqual(['payments', 'payments'])
    expect(requests[0]!.headers.get('x-trace')).toBe('call-1')
    expect(requests[1]!.headers.get('x-trace')).toBe('client')
    expect(requests[1]!.headers.get('x-call')).toBe('yes')
    // The credential is the client's; a header option cannot leak or replace it silently.
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer ${secret}`)
  })

  it('takes maxRetries per call', async () => {
    const { fetch, requests } = recordingFetch(() => Response.json({ error: 'busy' }, { status: 503 }))
    const client = new RelyntClient({
      baseUrl: 'https://g.example.com',
      agentSecret: secret,
      fetch,
      maxRetries: 3,
    })
    await expect(client.receipts.get('rec_1', { maxRetries: 0 })).rejects.toMatchObject({ statusCode: 503 })
    expect(requests).toHaveLength(1)
  })

  it('takes a signal per call', async () => {
    const { fetch } = recordingFetch()
    const client = new RelyntClient({ baseUrl: 'https://g.example.com', agentSecret: secret, fetch })
    const controller = new AbortController()
    controller.abort()
    await expect(
      client.requestAction({ action: 'a', resource: 'r', signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('reads the log level from RELYNT_LOG; an explicit logger wins', async () => {
    vi.stubEnv('RELYNT_LOG', 'debug')
    const lines: string[] = []
    const spy = vi.spyOn(console, 'debug').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
    try {
      const { fetch } = recordingFetch()
      await new RelyntClient({ baseUrl: 'https://g.example.com', agentSecret: secret, fetch }).requestAction({
        action: 'a',
        resource: 'r',
      })
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.join('\n')).not.toContain('rls_call-options-secret')
      lines.length = 0
      await new RelyntClient({
        baseUrl: 'https://g.example.com',
        agentSecret: secret,
        fetch,
        logger: 'warn',
      }).requestAction({
        action: 'a',
        resource: 'r',
      })
      expect(lines).toEqual([])
    } finally {
      spy.mockRestore()
    }
  })
})
