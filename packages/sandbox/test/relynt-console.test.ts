import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RelyntFixture, startFixture, toolCall } from './relynt-test-helpers.js'

describe('approvals console over HTTP', () => {
  let fixture: RelyntFixture

  beforeEach(async () => {
    fixture = await startFixture()
  })
  afterEach(async () => {
    await fixture.sandbox.close()
  })

  async function signIn(): Promise<{ cookie: string; csrfToken: string }> {
    const login = await fetch(fixture.sandbox.consoleUrl, { redirect: 'manual' })
    expect(login.status).toBe(303)
    const setCookie = login.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/; Path=\/__console; HttpOnly; SameSite=Strict$/)
    const cookie = setCookie.split(';')[0]!
    const page = await fetch(`${fixture.sandbox.url}/__console`, { headers: { cookie } })
    const csrfToken = /<meta name="csrf-token" content="([\w-]+)">/.exec(await page.text())?.[1]
    expect(csrfToken).toBeDefined()
    return { cookie, csrfToken: csrfToken! }
  }

  async function pendingApproval(): Promise<string> {
    const response = await toolCall(fixture, {
      instance_id: 'run',
      action: 'refund_payment',
      resource: 'payment:order:1',
    })
    return ((await response.json()) as { approval_id: string }).approval_id
  }

  function decide(approvalId: string, headers: Record<string, string>) {
    return fetch(`${fixture.sandbox.url}/__console/api/approvals/${approvalId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ approver: 'alice' }),
    })
  }

  it('serves every console response with a strict CSP that forbids framing and inline script', async () => {
    for (const path of ['/__console', '/__console/console.js', '/__console/api/state']) {
      const response = await fetch(`${fixture.sandbox.url}${path}`)
      const policy = response.headers.get('content-security-policy') ?? ''
      expect(policy).toContain("default-src 'none'")
      expect(policy).toContain("script-src 'self'")
      expect(policy).not.toContain('unsafe-inline')
      expect(policy).toContain("frame-ancestors 'none'")
      expect(response.headers.get('x-frame-options')).toBe('DENY')
    }
  })

  it('signs in once per login link, and shows no data without the cookie', async () => {
    const loginUrl = fixture.sandbox.consoleUrl
    expect(fixture.sandbox.consoleUrl).toBe(loginUrl)
    expect((await fetch(loginUrl, { redirect: 'manual' })).status).toBe(303)
    expect((await fetch(loginUrl, { redirect: 'manual' })).status).toBe(403)
    expect(fixture.sandbox.consoleUrl).not.toBe(loginUrl)

    const page = await fetch(`${fixture.sandbox.url}/__console`)
    expect(await page.text()).toContain('<meta name="csrf-token" content="">')
    expect((await fetch(`${fixture.sandbox.url}/__console/api/state`)).status).toBe(401)
  })

  it('accepts a decision only with the cookie, a same-origin Origin and the page token', async () => {
    const { cookie, csrfToken } = await signIn()
    const origin = new URL(fixture.sandbox.url).origin
    const approvalId = await pendingApproval()

    const refusals = [
      [{ origin, 'x-csrf-token': csrfToken }, 401],
      [{ cookie, 'x-csrf-token': csrfToken }, 403],
      [{ cookie, origin: 'http://127.0.0.1:1', 'x-csrf-token': csrfToken }, 403],
      [{ cookie, origin: 'https://evil.example', 'x-csrf-token': csrfToken }, 403],
      [{ cookie, origin }, 403],
      [{ cookie, origin, 'x-csrf-token': 'forged' }, 403],
    ] as const
    for (const [headers, status] of refusals) {
      expect((await decide(approvalId, headers)).status).toBe(status)
    }
    expect(
      fixture.sandbox.listApprovals({ status: 'pending' }).map((approval) => approval.approval_id),
    ).toEqual([approvalId])

    const accepted = await decide(approvalId, { cookie, origin, 'x-csrf-token': csrfToken })
    expect(accepted.status).toBe(200)
    expect(fixture.sandbox.listApprovals({ status: 'approved' })[0]).toMatchObject({
      approval_id: approvalId,
      decided_by: 'alice',
    })
    // Decided meanwhile: the gateway's own conflict.
    expect((await decide(approvalId, { cookie, origin, 'x-csrf-token': csrfToken })).status).toBe(409)
  })
})
