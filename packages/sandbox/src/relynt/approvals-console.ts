import { createHash, randomBytes } from 'node:crypto'
import { access, readFile } from 'node:fs/promises'
import type { Context, Env, Hono } from 'hono'
import { z } from 'zod'
import { foreignRequestRefusal } from '../shared/admin-access.js'
import { type ApprovalRecord, publicStatus } from './approval-store.js'
import { summarizeReceipt } from './receipt-ledger.js'
import type { RelyntGateway } from './relynt-gateway.js'

/** What the console shows from a Ralio sandbox (a started `RalioSandbox` fits). */
export interface ConsoleRalioSource {
  /** Payment intents in wire form, newest first. */
  listPaymentIntents(): Record<string, unknown>[]
  /** Transactions in wire form, newest first. */
  listTransactions(): Record<string, unknown>[]
}

export const consolePath = '/__console'

// Everything the page loads comes from this origin; nothing runs inline, nothing frames it.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const decisionBody = z.strictObject({
  approver: z.string().trim().max(100, 'the approver name is at most 100 characters').optional(),
  reason: z.string().trim().max(500, 'the reason is at most 500 characters').optional(),
})

const receiptsShown = 50
const pagesPerSession = 20

interface Session {
  /** Digests of the CSRF tokens of the pages this session loaded, oldest first. */
  pageTokens: string[]
}

/**
 * The approvals console: a page under `/__console` where a person sees what agents asked for
 * and approves or denies it. A one-time login link (`loginUrl()`) becomes an HttpOnly,
 * SameSite=Strict session cookie; every data route needs it, every write also a same-origin
 * `Origin` and the page's CSRF token. The page itself is static and builds its DOM from
 * text only: everything it shows came from an agent that may be prompt-injected.
 */
export class ApprovalsConsole {
  readonly #gateway: RelyntGateway
  readonly #ralio: ConsoleRalioSource | undefined
  readonly #sessions = new Map<string, Session>()
  // Per sandbox, so two sandboxes on one host (cookies ignore the port) keep their sessions apart.
  readonly #cookieName = `x_sandbox_console_${randomBytes(4).toString('hex')}`
  #loginToken: string | undefined

  constructor(gateway: RelyntGateway, ralio?: ConsoleRalioSource) {
    this.#gateway = gateway
    this.#ralio = ralio
  }

  /** A login link for `origin`; it works once, and stays the same until it was used. */
  loginUrl(origin: string): string {
    this.#loginToken ??= randomBytes(32).toString('base64url')
    return `${origin}${consolePath}/login?token=${this.#loginToken}`
  }

  /** Mounts the page, its two static files and its data routes on `app`. */
  mount<E extends Env>(app: Hono<E>): void {
    const assets = loadAssets()
    app.use(async (c, next) => {
      if (c.req.path !== consolePath && !c.req.path.startsWith(`${consolePath}/`)) return next()
      const refusal = foreignRequestRefusal(c, 'The approvals console')
      if (refusal !== undefined) {
        securityHeaders(c)
        return c.json({ error: { code: refusal.code, message: refusal.message } }, 403)
      }
      await next()
      securityHeaders(c)
    })

    app.get(`${consolePath}/login`, (c) => {
      const token = c.req.query('token')
      if (token === undefined || this.#loginToken === undefined || !sameSecret(token, this.#loginToken)) {
        return c.text(
          'This login link is wrong or was already used. Ask x-sandbox for a new one: x-sandbox console',
          403,
        )
      }
      this.#loginToken = undefined
      const sessionId = randomBytes(32).toString('base64url')
      this.#sessions.set(digest(sessionId), { pageTokens: [] })
      c.header(
        'Set-Cookie',
        `${this.#cookieName}=${sessionId}; Path=${consolePath}; HttpOnly; SameSite=Strict`,
      )
      // The token leaves the address bar (and the history entry) at once.
      return c.redirect(consolePath, 303)
    })

    app.get(consolePath, async (c) => {
      const session = this.#session(c)
      let csrfToken = ''
      if (session !== undefined) {
        csrfToken = randomBytes(32).toString('base64url')
        session.pageTokens.push(digest(csrfToken))
        if (session.pageTokens.length > pagesPerSession) session.pageTokens.shift()
      }
      // The token is base64url (or empty): nothing from a request reaches the markup.
      return c.html((await assets).html.replace('{{csrf_token}}', csrfToken))
    })
    app.get(`${consolePath}/console.js`, async (c) => {
      c.header('Content-Type', 'text/javascript; charset=utf-8')
      return c.body((await assets).script)
    })
    app.get(`${consolePath}/console.css`, async (c) => {
      c.header('Content-Type', 'text/css; charset=utf-8')
      return c.body((await assets).style)
    })

    app.get(`${consolePath}/api/state`, (c) => {
      if (this.#session(c) === undefined) return notSignedIn(c)
      return c.json(this.state())
    })
    app.post(`${consolePath}/api/approvals/:approvalId/:decision{approve|deny}`, async (c) => {
      const session = this.#session(c)
      if (session === undefined) return notSignedIn(c)
      const origin = c.req.header('origin')
      if (origin !== new URL(c.req.url).origin) {
        return c.json(
          {
            error: { code: 'forbidden_origin', message: 'Decisions are accepted only from the console page' },
          },
          403,
        )
      }
      const csrfToken = c.req.header('x-csrf-token') ?? ''
      if (!session.pageTokens.includes(digest(csrfToken))) {
        return c.json(
          {
            error: { code: 'forbidden_csrf', message: 'The page token is missing or stale; reload the page' },
          },
          403,
        )
      }
      const parsed = decisionBody.safeParse(await c.req.json().catch(() => undefined))
      if (!parsed.success) {
        return c.json({ error: { code: 'bad_request', message: z.prettifyError(parsed.error) } }, 400)
      }
      const approver = parsed.data.approver || 'sandbox:console'
      const reason = parsed.data.reason || undefined
      const approvalId = c.req.param('approvalId')
      // A 404 or 409 (unknown, or decided meanwhile) comes back as the gateway's own error.
      if (c.req.param('decision') === 'approve') await this.#gateway.approve(approvalId, approver, reason)
      else this.#gateway.deny(approvalId, approver, reason)
      return c.json(this.state())
    })
  }

  /** What the page shows, in wire (snake_case) form. */
  state() {
    const records = this.#gateway.approvals.list()
    const agentNames = new Map(this.#gateway.agents.list().map((agent) => [agent.agentId, agent.name]))
    const pending = records.filter((record) => publicStatus(record) === 'pending')
    const decided = records.filter((record) => publicStatus(record) !== 'pending')
    return {
      pending: pending.map((record) => ({
        ...describeCall(record, agentNames),
        created_at: new Date(record.createdAt).toISOString(),
        expires_at: new Date(record.expiresAt).toISOString(),
        deciding: record.state === 'deciding',
      })),
      decided: decided.reverse().map((record) => ({
        ...describeCall(record, agentNames),
        status: publicStatus(record),
        decided_by: record.decidedBy,
        decided_at: record.decidedAt,
        decision_reason: record.decisionReason ?? null,
        error: record.error ?? null,
      })),
      receipts: this.#gateway.receipts
        .list()
        .slice(0, receiptsShown)
        .map((receipt) => ({
          ...summarizeReceipt(receipt),
          valid: this.#gateway.receipts.verify(receipt.receipt_id),
        })),
      ralio:
        this.#ralio === undefined
          ? null
          : {
              payment_intents: this.#ralio.listPaymentIntents(),
              transactions: this.#ralio.listTransactions(),
            },
    }
  }

  #session(c: Context): Session | undefined {
    const cookie = c.req.header('cookie') ?? ''
    for (const part of cookie.split(';')) {
      const [name, value] = part.trim().split('=', 2)
      if (name === this.#cookieName && value !== undefined) return this.#sessions.get(digest(value))
    }
    return undefined
  }
}

function describeCall(record: ApprovalRecord, agentNames: Map<string, string>) {
  const { agent, request, evaluation } = record.call
  return {
    approval_id: record.approvalId,
    agent_id: agent.agentId,
    agent_name: agentNames.get(agent.agentId) ?? agent.name,
    instance_id: request.instanceId,
    action: request.action,
    resource: request.resource,
    payload: request.payload,
    risk_level: evaluation.riskLevel,
    policy_reason: evaluation.reason,
  }
}

function notSignedIn(c: Context) {
  return c.json(
    {
      error: {
        code: 'unauthorized',
        message:
          'Not signed in: open the login link x-sandbox printed (sandbox.consoleUrl); each link works once',
      },
    },
    401,
  )
}

function securityHeaders(c: Context): void {
  c.header('Content-Security-Policy', contentSecurityPolicy)
  c.header('X-Frame-Options', 'DENY')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'no-referrer')
  c.header('Cross-Origin-Opener-Policy', 'same-origin')
  c.header('Cross-Origin-Resource-Policy', 'same-origin')
  c.header('Cache-Control', 'no-store')
}

/**
 * The console's files sit at the package root, next to src/ and dist/. This module runs as a
 * source file or inside a bundled chunk, at different depths, so the folder is looked up from
 * here upwards rather than counted.
 */
async function assetsDirectory(): Promise<URL> {
  for (let directory = new URL('./', import.meta.url); ; directory = new URL('../', directory)) {
    const candidate = new URL('console/', directory)
    try {
      await access(new URL('index.html', candidate))
      return candidate
    } catch {
      if (new URL('../', directory).href === directory.href) {
        throw new Error("@x/sandbox's approvals console files (console/index.html) are missing")
      }
    }
  }
}

let cachedAssets: Promise<{ html: string; script: string; style: string }> | undefined
function loadAssets() {
  cachedAssets ??= assetsDirectory()
    .then((directory) =>
      Promise.all(
        ['index.html', 'console.js', 'console.css'].map((name) => readFile(new URL(name, directory), 'utf8')),
      ),
    )
    .then(([html, script, style]) => ({ html: html!, script: script!, style: style! }))
  return cachedAssets
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

function sameSecret(presented: string, expected: string): boolean {
  return digest(presented) === digest(expected)
}
