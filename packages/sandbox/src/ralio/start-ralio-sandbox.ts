import { checkAdminToken, createAdminToken } from '../shared/admin-access.js'
import { Clock } from '../shared/clock.js'
import { FaultInjector } from '../shared/fault-injector.js'
import { inProcessFetch } from '../shared/in-process-fetch.js'
import type { SandboxRequestLogEntry } from '../shared/request-log.js'
import { type ServeOptions, serveUnlessInProcess } from '../shared/serve.js'
import { AgentDirectory, type SandboxAgentInput } from './agent-directory.js'
import { parseDecimalAmount } from './money.js'
import type { NonceModeOptions } from './nonce-manager.js'
import { PaymentsLedger } from './payments-ledger.js'
import { ralioAdminRoutes } from './ralio-admin-routes.js'
import { createRalioApp } from './ralio-app.js'
import type { RalioSandbox } from './ralio-sandbox.js'
import { collectRalioStats, ralioStatsToWire } from './ralio-sandbox-stats.js'
import { type RalioSettings, RalioState } from './ralio-state.js'

/** Options of `startRalioSandbox()`; all optional. */
export interface RalioSandboxOptions extends ServeOptions {
  /** The agents bindings can be pinned to; default one "Sandbox Agent" paying in GBP. */
  agents?: SandboxAgentInput[]
  /** Each agent's opening balance, a decimal string; default "10000.00". */
  startingBalance?: string
  /** Payments above this wait for the owner's approval; default "1000.00". */
  spendLimit?: string
  /** How long a transaction reads `submitted` before `delivered`, on the sandbox clock; default 2000. */
  settlementDelayMs?: number
  /** Pause between streamed chat events; default 0 (tests). Around 40 feels human in a demo. */
  streamDelayMs?: number
  /** Interval of `: keep-alive` comments on open streams; default 15000. */
  keepAliveIntervalMs?: number
  /** Access token lifetime (`expires_in`); default 1800. */
  tokenLifetimeSeconds?: number
  /** DPoP nonce mode; default disabled. */
  nonce?: NonceModeOptions
  /** Registration answers like an old server (202 `{poll_token}`); default 'active'. */
  registrationMode?: RalioSettings['registrationMode']
  /** Registration returns a wrong fingerprint, or none; default 'correct'. */
  fingerprintMode?: RalioSettings['fingerprintMode']
  /** Initial server clock offset; default 0. */
  clockOffsetMs?: number
  /** The token `/__admin` requires over HTTP (`Authorization: Bearer …`); default: a random one. */
  adminToken?: string
  /** Told about every answered request. */
  onRequest?: (entry: SandboxRequestLogEntry) => void
}

/** Starts a Ralio sandbox on loopback. */
export async function startRalioSandbox(options: RalioSandboxOptions = {}): Promise<RalioSandbox> {
  const adminToken =
    options.adminToken === undefined ? createAdminToken() : checkAdminToken(options.adminToken)
  const clock = new Clock()
  clock.offsetMs = options.clockOffsetMs ?? 0
  const agents = new AgentDirectory(options.agents ?? [{ name: 'Sandbox Agent' }], clock.nowIso())
  const ledger = new PaymentsLedger(clock, {
    startingBalanceMinor: parseDecimalAmount(options.startingBalance ?? '10000.00', 'startingBalance'),
    spendLimitMinor: parseDecimalAmount(options.spendLimit ?? '1000.00', 'spendLimit'),
    settlementDelayMs: nonNegative(options.settlementDelayMs ?? 2000, 'settlementDelayMs'),
  })
  const state = new RalioState(clock, agents, ledger, {
    registrationMode: options.registrationMode ?? 'active',
    fingerprintMode: options.fingerprintMode ?? 'correct',
    streamDelayMs: nonNegative(options.streamDelayMs ?? 0, 'streamDelayMs'),
    keepAliveIntervalMs: positive(options.keepAliveIntervalMs ?? 15_000, 'keepAliveIntervalMs'),
  })
  state.tokens.accessTokenLifetimeSeconds = positive(
    options.tokenLifetimeSeconds ?? 1800,
    'tokenLifetimeSeconds',
  )
  if (options.nonce) state.nonces.configure(options.nonce)
  const faults = new FaultInjector({
    defaultBody: (status) => ({ detail: `Injected fault: HTTP ${status}` }),
  })

  const handle: Omit<RalioSandbox, 'url' | 'fetch' | 'close'> = {
    adminToken,
    agents: agents.list().map(({ id, name, agentNumber, currency }) => ({ id, name, agentNumber, currency })),
    mintTicket: (ticketOptions) => state.tickets.mint(ticketOptions),
    approvePaymentIntent: (id) => void ledger.approve(id),
    rejectPaymentIntent: (id, reason) => void ledger.reject(id, reason),
    listPaymentIntents: () => ledger.listIntents().map((intent) => ledger.intentToWire(intent)),
    listTransactions: () =>
      ledger.listTransactions().map((transaction) => ledger.transactionToWire(transaction)),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setClockOffset: (ms) => {
      if (!Number.isFinite(ms))
        throw new TypeError('the clock offset must be a finite number of milliseconds')
      clock.offsetMs = ms
    },
    setNonceMode: (nonceOptions) => state.nonces.configure(nonceOptions),
    currentNonce: () => state.nonces.current(),
    setTokenLifetime: (seconds) => {
      state.tokens.accessTokenLifetimeSeconds = positive(seconds, 'the token lifetime')
    },
    revokeTokens: (clientId) => state.tokens.revoke(clientId),
    setRegistrationBehavior: ({ mode, fingerprint }) => {
      if (mode !== undefined) state.settings.registrationMode = mode
      if (fingerprint !== undefined) state.settings.fingerprintMode = fingerprint
    },
    setSpendLimit: (amount) => {
      ledger.spendLimitMinor = parseDecimalAmount(amount, 'the spend limit')
    },
    stats: () => collectRalioStats(state),
  }
  const sandbox = handle as RalioSandbox
  const app = createRalioApp({
    state,
    faults,
    stats: () => ralioStatsToWire(collectRalioStats(state)),
    adminRoutes: ralioAdminRoutes(sandbox),
    adminToken,
    onRequest: options.onRequest,
  })
  const server = await serveUnlessInProcess(
    app,
    {
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.listen !== undefined ? { listen: options.listen } : {}),
    },
    'https://ralio.sandbox.invalid',
  )
  return Object.assign(sandbox, { url: server.url, fetch: inProcessFetch(app), close: () => server.close() })
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number >= 0`)
  return value
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a number > 0`)
  return value
}
