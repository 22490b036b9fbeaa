import { Hono } from 'hono'
import { checkAdminToken, createAdminToken } from '../shared/admin-access.js'
import { mountAdminRoutes } from '../shared/admin-routes.js'
import { bodySizeLimit } from '../shared/body-size-limit.js'
import { Clock } from '../shared/clock.js'
import { FaultInjector, type FaultRule } from '../shared/fault-injector.js'
import { inProcessFetch } from '../shared/in-process-fetch.js'
import { type ServeOptions, serveUnlessInProcess } from '../shared/serve.js'
import { type ApprovalStatus, type ApprovalView, approvalView } from './approval-store.js'
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
  approve(approvalId: string, options?: { approver?: string }): Promise<void>
  /** Denies a pending approval; throws if it is not pending. */
  deny(approvalId: string, options?: { approver?: string }): void
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

  const app = new Hono<RelyntEnv>()
  app.use(clock.dateHeader())
  app.use(bodySizeLimit((message) => relyntErrorBody('payload_too_large', message)))
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
    routes: (admin) => registerRelyntAdminRoutes(admin, gateway),
  })
  registerRelyntRoutes(app, gateway)

  const server = await serveUnlessInProcess(app, options, 'https://relynt.sandbox.invalid')

  return {
    url: server.url,
    adminToken,
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
    approve: (approvalId, decision) => gateway.approve(approvalId, decision?.approver),
    deny: (approvalId, decision) => gateway.deny(approvalId, decision?.approver),
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
