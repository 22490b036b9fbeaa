import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RalioSandbox } from '../src/ralio/ralio-sandbox.js'
import { startRalioSandbox } from '../src/ralio/start-ralio-sandbox.js'
import { chromiumPath, haveChromium, launchChromium } from './chromium.js'
import { type RelyntFixture, startFixture, toolCall } from './relynt-test-helpers.js'

if (!haveChromium) {
  if (process.env.CI === 'true') {
    throw new Error(
      `The approvals console's browser test needs Chromium at ${chromiumPath} (apt-get install chromium)`,
    )
  }
  console.warn(
    `\n*** SKIPPING the approvals console browser test: no Chromium at ${chromiumPath}. Install Debian's chromium or set CHROMIUM_PATH. In CI this fails. ***\n`,
  )
}

describe.skipIf(!haveChromium)('approvals console in a real browser', { timeout: 60_000 }, () => {
  let fixture: RelyntFixture
  let ralio: RalioSandbox
  let context: BrowserContext
  let userDataDir: string

  beforeAll(async () => {
    ralio = await startRalioSandbox({ port: 0 })
    fixture = await startFixture({ connector: 'echo', ralio })
    userDataDir = await mkdtemp(join(tmpdir(), 'sandbox-console-chromium-'))
    context = await launchChromium(userDataDir)
    // Records what the page's CSP blocked and whether any agent text ran as script.
    await context.addInitScript(() => {
      const record = window as unknown as { cspViolations: string[] }
      record.cspViolations = []
      document.addEventListener('securitypolicyviolation', (event) => {
        record.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`)
      })
    })
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    await fixture?.sandbox.close()
    await ralio?.close()
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true })
  })

  async function requestApproval(body: Record<string, unknown>): Promise<string> {
    const response = await toolCall(fixture, { instance_id: 'run-1', action: 'refund_payment', ...body })
    const answer = (await response.json()) as { decision: string; approval_id: string }
    expect(answer.decision).toBe('pending_approval')
    return answer.approval_id
  }

  async function signedInPage(): Promise<Page> {
    const page = await context.newPage()
    await page.goto(fixture.sandbox.consoleUrl)
    expect(new URL(page.url()).pathname).toBe('/__console')
    return page
  }

  async function approvalStatus(approvalId: string) {
    const response = await fetch(`${fixture.sandbox.url}/v1/approvals/${approvalId}`, {
      headers: { authorization: fixture.authorization },
    })
    return (await response.json()) as { status: string; decided_by: string | null; receipt_id?: string }
  }

  it('approves through the page: the gateway records the approver, the reason and an allow receipt', async () => {
    const approvalId = await requestApproval({ resource: 'payment:order:1001', payload: { amount: 120 } })
    const page = await signedInPage()
    const card = page.locator(`article[data-approval-id="${approvalId}"]`)
    await expect.poll(() => card.getByText('payment:order:1001').count()).toBeGreaterThan(0)
    expect(await card.getByText('"amount": 120').count()).toBe(1)

    await page.getByLabel('Your name').fill('alice')
    await card.getByLabel('Reason (optional)').fill('customer called')
    await card.getByRole('button', { name: 'Approve', exact: true }).click()

    await expect.poll(() => card.count()).toBe(0)
    const approval = await approvalStatus(approvalId)
    expect(approval).toMatchObject({ status: 'approved', decided_by: 'alice' })
    const receipt = fixture.sandbox.listReceipts().find((entry) => entry.receipt_id === approval.receipt_id)
    expect(receipt).toMatchObject({ decision: 'allow', reason: 'Approved by alice: customer called' })
    // Decided approvals and verified receipts appear without a reload.
    const decided = page.locator('#decided')
    await expect.poll(() => decided.getByText(approvalId).count()).toBe(1)
    const receiptRow = page.locator('#receipts tr', { hasText: approval.receipt_id! })
    await expect.poll(() => receiptRow.getByText('verified').count()).toBe(1)
    await page.close()
  })

  it('denies through the page, and a new request appears without a reload', async () => {
    const page = await signedInPage()
    const approvalId = await requestApproval({ resource: 'payment:order:2002', payload: { amount: 9 } })
    const card = page.locator(`article[data-approval-id="${approvalId}"]`)
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1)
    await card.getByRole('button', { name: 'Deny', exact: true }).click()
    await expect.poll(() => card.count()).toBe(0)
    const approval = await approvalStatus(approvalId)
    expect(approval.status).toBe('denied')
    expect(
      fixture.sandbox.listReceipts().find((entry) => entry.receipt_id === approval.receipt_id),
    ).toMatchObject({
      decision: 'deny',
    })
    await page.close()
  })

  it('shows script and markup from an agent as text and runs none of it', async () => {
    const resource = 'payment:<img src=x onerror="window.pwned=1">'
    const approvalId = await requestApproval({
      resource,
      instance_id: '<script>window.pwned=2</script>',
      payload: {
        note: '<img src=x onerror="window.pwned=3">',
        html: '<script>window.pwned=4</script><style>body{display:none}</style>',
        link: '<a href="javascript:window.pwned=5">click</a>',
      },
    })
    const page = await signedInPage()
    const card = page.locator(`article[data-approval-id="${approvalId}"]`)
    await expect.poll(() => card.count()).toBe(1)

    expect(await card.getByText(resource, { exact: true }).count()).toBe(1)
    expect(await card.getByText('<script>window.pwned=2</script>', { exact: true }).count()).toBe(1)
    const payload = await card.locator('pre').textContent()
    expect(payload).toContain('<img src=x onerror=\\"window.pwned=3\\">')
    expect(payload).toContain('<script>window.pwned=4</script>')
    // No element was made from the agent's text, nothing ran, and the CSP had nothing to block.
    expect(await page.locator('img, a, style, main script').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()
    expect(
      await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
    ).toEqual([])
    await card.getByRole('button', { name: 'Deny', exact: true }).click()
    await expect.poll(() => card.count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()
    await page.close()
  })

  it('shows no data to a browser without the session cookie, and a used login link signs nobody in', async () => {
    const approvalId = await requestApproval({ resource: 'payment:order:3003' })
    const loginUrl = fixture.sandbox.consoleUrl
    const first = await context.newPage()
    await first.goto(loginUrl)
    await first.close()
    await context.clearCookies()

    const page = await context.newPage()
    const reused = await page.goto(loginUrl)
    expect(reused?.status()).toBe(403)
    await page.goto(`${fixture.sandbox.url}/__console`)
    await expect.poll(() => page.locator('#status').textContent()).toContain('Not signed in')
    expect(await page.locator('#content').isHidden()).toBe(true)
    expect(await page.content()).not.toContain(approvalId)
    await page.close()
    fixture.sandbox.deny(approvalId)
  })

  it('refuses a decision posted from another origin, even one on the same host', async () => {
    const approvalId = await requestApproval({ resource: 'payment:order:4004' })
    const page = await signedInPage()
    const consoleOrigin = new URL(fixture.sandbox.url).origin
    // Same site as the console (127.0.0.1, another port), so the SameSite cookie is sent.
    await page.goto(`${ralio.url}/nowhere`)
    const outcome = await page.evaluate(
      async ({ origin, id }) => {
        // The answer is unreadable either way (no CORS; CORP may make the fetch reject):
        // what counts is whether the approval moved.
        return fetch(`${origin}/__console/api/approvals/${id}/approve`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'content-type': 'text/plain' },
          body: '{"approver":"attacker"}',
        }).then(
          (response) => response.type,
          () => 'rejected',
        )
      },
      { origin: consoleOrigin, id: approvalId },
    )
    expect(['opaque', 'rejected']).toContain(outcome)
    expect((await approvalStatus(approvalId)).status).toBe('pending')
    await page.close()
    fixture.sandbox.deny(approvalId)
  })
})
