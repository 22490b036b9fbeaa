import { Hono } from 'hono'
import { checkAdminToken, createAdminToken } from '../shared/admin-access.js'
import { mountAdminRoutes } from '../shared/admin-routes.js'
import { bodySizeLimit } from '../shared/body-size-limit.js'
import { Clock } from '../shared/clock.js'
import { FaultInjector, type FaultRule } from '../shared/fault-injector.js'
import { inProcessFetch } from '../shared/in-process-fetch.js'
import { requestLog, type SandboxRequestLogEntry } from '../shared/request-log.js'
import { type ServeOptions, serveUnlessInProcess } from '../shared/serve.js'
import {
  type ApprovalRecord,
  type ApprovalStatus,
  type ApprovalView,
  approvalView,
} from './approval-store.js'
import { ApprovalsConsole, type ConsoleRalioSource } from './approvals-console.js'
import { defaultPolicy } from './default-policy.js'
import type { Policy, PolicyRule } from './policy-rule.js'
import type { RelyntReceipt } from './receipt-ledger.js'
import { registerRelyntAdminRoutes } from './relynt-admin-routes.js'
import { injectedFaultBody, RelyntApiError, relyntErrorBody } from './relynt-api-error.js'
import { type AutoDecision, RelyntGateway } from './relynt-gateway.js'
import { type RelyntEnv, registerRelyntRoutes } from './relynt-routes.js'
import { type ConnectorOption, createConnector } from './tool-connector.js'

/** Options of `startRelyntSandbox()`; all optional. */
export interface RelyntSandboxOptions extends ServeOptions {
  /** The organisation the sandbox serves; default 'org_sandbox'. */
  organizationId?: string
  /** The starting policy; default: the demo policy (see `defaultPolicy`). */
  policy?: { rules: PolicyRule[]; version?: string }
  /** Runs allowed calls and provides `tool_response`; default: none (no `tool_response`). */
  connector?: ConnectorOption
  /** How long an approval waits before it expires; default 15 minutes (server clock). */
  approvalTtlMs?: number
  /** Decide every approval automatically after a delay, like a human clicking in Slack. */
  autoDecision?: AutoDecision
  /** The token `/__admin` requires over HTTP (`Authorization: Bearer …`); default: a random one. */
  adminToken?: string
  /** A Ralio sandbox whose payment intents and transactions the approvals console shows too. */
  ralio?: ConsoleRalioSource
  /** Told about every answered request (the console's own page reads left out). */
  onRequest?: (entry: SandboxRequestLogEntry) => void
  /** Told about each new pending approval, once, as the gateway creates it (replays do not repeat it). */
  onPendingApproval?: (approval: PendingApprovalEvent) => void
}

/**
 * A call waiting for a person. Every field but the ids and the risk came from the agent,
 * which may be prompt-injected: print them with control characters made visible.
 */
export interface PendingApprovalEvent {
  approvalId: string
  agentId: string
  agentName: string
  instanceId: string
  action: string
  resource: string
  payload: Record<string, unknown>
  riskLevel: string
  /** The policy's reason for asking. */
  reason: string
  expiresAt: string
}

/** Who decided an approval and why; both end up in the final receipt's `reason`. */
export interface ApprovalDecisionOptions {
  /** Default 'sandbox:admin'. */
  approver?: string
  reason?: string
}

/** What the Relynt sandbox did so far, as `stats()` reports it. */
export interface RelyntSandboxStats {
  agents: number
  /** Authenticated calls to `POST /v1/agent-tool-call`, replays and conflicts included. */
  gatewayCalls: number
  replays: number
  conflicts: number
  receipts: number
  connectorCalls: number
  idempotencyRecords: number
  simulations: number
  approvals: Record<ApprovalStatus, number>
  policyVersion: string
}

/** A running Relynt sandbox: its address and the organisation-side controls tests use. */
export interface RelyntSandbox {
  /**
   * Origin, e.g. `http://127.0.0.1:53211`; the API is under `/v1`, the admin API under
   * `/__admin`. With `listen: false`, `https://relynt.sandbox.invalid`, reachable only through `fetch`.
   */
  url: string
  /** What `/__admin` requires over HTTP: `Authorization: Bearer <adminToken>`. This handle needs none. */
  adminToken: string
  /**
   * The approvals console's login link, e.g. `http://127.0.0.1:53211/__console/login?token=…`:
   * opening it in a browser signs that browser in (an HttpOnly, SameSite=Strict cookie) and
   * shows pending approvals with Approve and Deny buttons, decided approvals, receipts, and
   * the `ralio` sandbox's payments when one was given. The link works once; read the
   * property again for a new one (it stays the same until it was used).
   */
  readonly consoleUrl: string
  /**
   * The gateway's request handler as a `fetch` function: pass it as the SDK's `fetch`
   * option (with `url` as the base URL) and requests are answered in this process, with
   * no socket. Injected faults apply: `dropConnection` rejects like a network error.
   */
  fetch: typeof globalThis.fetch
  organizationId: string
  /** Stops the server and the approval timers; state is dropped. */
  close(): Promise<void>
  /**
   * Creates an agent credential; the secret is shown only here, as the dashboard shows it:
   * `<agent_id>:<secret>`, the whole value to send after `Bearer `.
   */
  createAgent(options?: { name?: string; organizationId?: string }): { agentId: string; secret: string }
  /** A new secret for the agent (`<agent_id>:<secret>`); the previous one is rejected from now on. */
  rotateSecret(agentId: string): { secret: string }
  /** Replaces the policy (validated; throws a TypeError naming the bad field). Without a version, the next `vN`. */
  setPolicy(rules: PolicyRule[], version?: string): void
  /** The policy in force. */
  getPolicy(): Policy
  /** Resolves once the connector ran and the final receipt exists; throws if the approval is not pending. */
  approve(approvalId: string, options?: ApprovalDecisionOptions): Promise<void>
  /** Denies a pending approval; throws if it is not pending. */
  deny(approvalId: string, options?: ApprovalDecisionOptions): void
  /** Every approval, optionally only those with one status. */
  listApprovals(options?: { status?: ApprovalStatus }): ApprovalView[]
  /** All receipts, newest first, in wire form. */
  listReceipts(): RelyntReceipt[]
  /** Overwrites a stored receipt field so tests can check that verification catches it. */
  tamperReceipt(receiptId: string, field: string, value: unknown): void
  /** Makes matching requests fail (see `FaultRule`); returns the rule's id. */
  injectFault(rule: FaultRule): string
  /** Removes every injected fault. */
  clearFaults(): void
  /** Moves the server clock (positive: the server is ahead of the client). */
  setClockOffset(ms: number): void
  /** What the server did so far. */
  stats(): RelyntSandboxStats
}

const fifteenMinutesMs = 15 * 60 * 1000

/** Starts a Relynt gateway on loopback that speaks the real wire protocol. */
export async function startRelyntSandbox(options: RelyntSandboxOptions = {}): Promise<RelyntSandbox> {
  const approvalTtlMs = options.approvalTtlMs ?? fifteenMinutesMs
  if (!Number.isFinite(approvalTtlMs) || approvalTtlMs <= 0) {
    throw new TypeError(
      `approvalTtlMs must be a positive number of milliseconds, got ${String(options.approvalTtlMs)}`,
    )
  }
  if (options.autoDecision !== undefined) validateAutoDecision(options.autoDecision)
  const adminToken =
    options.adminToken === undefined ? createAdminToken() : checkAdminToken(options.adminToken)

  const clock = new Clock()
  const faults = new FaultInjector({ defaultBody: injectedFaultBody })
  const gateway = new RelyntGateway({
    organizationId: options.organizationId ?? 'org_sandbox',
    clock,
    policy: structuredClone(defaultPolicy),
    approvalTtlMs,
    ...(options.connector === undefined ? {} : { connector: createConnector(options.connector) }),
    ...(options.autoDecision === undefined ? {} : { autoDecision: options.autoDecision }),
    ...(options.onPendingApproval === undefined
      ? {}
      : { onPendingApproval: pendingApprovalListener(options.onPendingApproval) }),
  })
  if (options.policy !== undefined) gateway.setPolicy(options.policy.rules, options.policy.version ?? 'v1')

  const stats = (): RelyntSandboxStats => ({
    agents: gateway.agents.list().length,
    ...gateway.counters,
    receipts: gateway.receipts.size,
    idempotencyRecords: gateway.idempotency.size,
    approvals: gateway.approvals.countByStatus(),
    policyVersion: gateway.policy.version,
  })

  const approvalsConsole = new ApprovalsConsole(gateway, options.ralio)
  const app = new Hono<RelyntEnv>()
  if (options.onRequest !== undefined)
    app.use(requestLog<RelyntEnv>(options.onRequest, (c) => c.get('decision')))
  app.use(clock.dateHeader())
  app.use(bodySizeLimit((message) => relyntErrorBody('payload_too_large', message)))
  // Before the faults: injected faults are for the agents' API, not for the person approving.
  approvalsConsole.mount(app)
  app.use(faults.middleware())
  app.onError((error, c) => {
    if (error instanceof RelyntApiError) {
      if (error.status === 401) c.header('WWW-Authenticate', 'Bearer realm="relynt"')
      return c.json(error.toBody(), error.status)
    }
    return c.json(relyntErrorBody('internal_error', 'The sandbox failed unexpectedly'), 500)
  })
  app.notFound((c) => c.json(relyntErrorBody('not_found', `No route ${c.req.method} ${c.req.path}`), 404))
  mountAdminRoutes(app, {
    adminToken,
    faults,
    clock,
    stats: () => toWireStats(stats()),
    routes: (admin) => {
      registerRelyntAdminRoutes(admin, gateway)
      // A fresh console login link for another process (`x-sandbox console`).
      admin.post('/console-login', (c) => c.json({ url: approvalsConsole.loginUrl(server.url) }, 201))
    },
  })
  registerRelyntRoutes(app, gateway)

  const server = await serveUnlessInProcess(app, options, 'https://relynt.sandbox.invalid')

  return {
    url: server.url,
    adminToken,
    get consoleUrl() {
      return approvalsConsole.loginUrl(server.url)
    },
    fetch: inProcessFetch(app),
    organizationId: gateway.organizationId,
    async close() {
      gateway.close()
      await server.close()
    },
    createAgent(agentOptions = {}) {
      return gateway.agents.create({
        ...(agentOptions.name === undefined ? {} : { name: agentOptions.name }),
        organizationId: agentOptions.organizationId ?? gateway.organizationId,
      })
    },
    rotateSecret: (agentId) => gateway.agents.rotate(agentId),
    setPolicy(rules, version) {
      gateway.setPolicy(rules, version)
    },
    getPolicy: () => gateway.policy,
    approve: (approvalId, decision) => gateway.approve(approvalId, decision?.approver, decision?.reason),
    deny: (approvalId, decision) => gateway.deny(approvalId, decision?.approver, decision?.reason),
    listApprovals: (filter) => gateway.approvals.list(filter?.status).map(approvalView),
    listReceipts: () => gateway.receipts.list(),
    tamperReceipt: (receiptId, field, value) => gateway.receipts.tamper(receiptId, field, value),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setClockOffset(ms) {
      if (!Number.isFinite(ms))
        throw new TypeError(`Clock offset must be a finite number of milliseconds, got ${ms}`)
      clock.offsetMs = ms
    },
    stats,
  }
}

function pendingApprovalListener(listener: (approval: PendingApprovalEvent) => void) {
  return (record: ApprovalRecord) => {
    const { agent, request, evaluation } = record.call
    try {
      listener({
        approvalId: record.approvalId,
        agentId: agent.agentId,
        agentName: agent.name,
        instanceId: request.instanceId,
        action: request.action,
        resource: request.resource,
        payload: structuredClone(request.payload),
        riskLevel: evaluation.riskLevel,
        reason: evaluation.reason,
        expiresAt: new Date(record.expiresAt).toISOString(),
      })
    } catch {
      // A failing listener must not fail the agent's call.
    }
  }
}

function validateAutoDecision(auto: AutoDecision): void {
  if (!Number.isFinite(auto.afterMs) || auto.afterMs < 0) {
    throw new TypeError(`autoDecision.afterMs must be a non-negative number, got ${String(auto.afterMs)}`)
  }
  if (auto.decision !== 'approve' && auto.decision !== 'deny') {
    throw new TypeError(`autoDecision.decision must be 'approve' or 'deny', got ${String(auto.decision)}`)
  }
}

function toWireStats(stats: RelyntSandboxStats) {
  return {
    agents: stats.agents,
    gateway_calls: stats.gatewayCalls,
    replays: stats.replays,
    conflicts: stats.conflicts,
    receipts: stats.receipts,
    connector_calls: stats.connectorCalls,
    idempotency_records: stats.idempotencyRecords,
    simulations: stats.simulations,
    approvals: stats.approvals,
    policy_version: stats.policyVersion,
  }
}
