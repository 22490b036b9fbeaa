import {
  createLogger,
  createTransport,
  inspectable,
  type Logger,
  type LogLevel,
  readEnv,
  type Transport,
} from '@x/core/internal'
import { resolveAgentCredential } from './agent-credential.js'
import { assertSecureUrl } from './assert-secure-url.js'
import { RelyntError, relyntErrors } from './errors.js'
import { type Authorization, type GuardRequest, type GuardResult, guard } from './guard.js'
import { type ActionRequest, Actions } from './resources/actions.js'
import { Approvals, type PollApprovalOptions } from './resources/approvals.js'
import { Receipts } from './resources/receipts.js'
import { type SimulateRequest, Simulator } from './resources/simulator.js'
import type { ActionResult } from './schemas/action-result.js'
import type { Approval } from './schemas/approval.js'
import type { Simulation } from './schemas/simulation.js'
import { VERSION } from './version.js'

/** Options of `new RelyntClient()`; the base URL and the agent credential default to the environment. */
export interface RelyntClientOptions {
  /** The gateway's origin, e.g. `https://gateway.example.com`. Env: `RELYNT_API_BASE_URL`. */
  baseUrl?: string
  /** The agent secret, or `<agentId>:<secret>`. Env: `RELYNT_AGENT_SECRET`. */
  agentSecret?: string
  /** Env: `RELYNT_AGENT_ID`; not needed when the secret is in `<agentId>:<secret>` form. */
  agentId?: string
  /** Sent as `instance_id` on every call: one per agent run. Default: a random UUID. */
  instanceId?: string
  /** Per attempt. Default 30 000. */
  timeoutMs?: number
  /** Retries of a failed call (network error, timeout, 429, 5xx). Default 3. */
  maxRetries?: number
  /** Default `globalThis.fetch`, read at call time. */
  fetch?: typeof globalThis.fetch
  /** A logger (pino, console…) or a level for console logging. Default 'warn'. Secrets are redacted. */
  logger?: Logger | LogLevel
  /** Where an approval's status is read; `{approvalId}` is replaced. Default `/v1/approvals/{approvalId}`. */
  approvalPath?: string
}

const DEFAULT_APPROVAL_PATH = '/v1/approvals/{approvalId}'

/**
 * Client for the Relynt authorization gateway. Ask before acting (`requestAction`), wait
 * for a person when the policy says so (`pollApproval`), or let `guard` do both around
 * your function; every decision leaves a signed receipt (`receipts`).
 */
export class RelyntClient {
  readonly baseUrl: string
  readonly agentId: string
  /** The `instance_id` every call of this client carries. */
  readonly instanceId: string
  readonly timeoutMs: number
  readonly maxRetries: number
  readonly receipts: Receipts
  readonly approvals: Approvals
  readonly #transport: Transport
  readonly #actions: Actions
  readonly #simulator: Simulator

  constructor(options: RelyntClientOptions = {}) {
    const baseUrl = options.baseUrl ?? readEnv('RELYNT_API_BASE_URL')
    if (!baseUrl) {
      throw new RelyntError(
        'No gateway URL: pass { baseUrl } to RelyntClient or set RELYNT_API_BASE_URL (e.g. https://gateway.example.com).',
        { code: 'missing_base_url' },
      )
    }
    const url = parseUrl(baseUrl)
    if (url.username || url.password) {
      throw new RelyntError(
        'baseUrl must not contain a user name or password; the agent secret authenticates.',
        {
          code: 'invalid_argument',
        },
      )
    }
    // Checked before the secret is even read, so a misconfiguration can never send it.
    assertSecureUrl(url)
    const credential = resolveAgentCredential(
      options.agentSecret ?? readEnv('RELYNT_AGENT_SECRET'),
      options.agentId ?? readEnv('RELYNT_AGENT_ID'),
    )
    const instanceId = options.instanceId ?? crypto.randomUUID()
    if (typeof instanceId !== 'string' || instanceId.trim() === '') {
      throw new RelyntError('instanceId must be a non-empty string (one id per agent run).', {
        code: 'invalid_argument',
      })
    }
    const approvalPath = options.approvalPath ?? DEFAULT_APPROVAL_PATH
    if (!approvalPath.includes('{approvalId}')) {
      throw new RelyntError(`approvalPath must contain {approvalId}, e.g. '${DEFAULT_APPROVAL_PATH}'.`, {
        code: 'invalid_argument',
      })
    }

    this.baseUrl = url.href.replace(/\/+$/, '')
    this.agentId = credential.agentId
    this.instanceId = instanceId
    this.timeoutMs = nonNegative(options.timeoutMs ?? 30_000, 'timeoutMs')
    this.maxRetries = nonNegative(options.maxRetries ?? 3, 'maxRetries')
    if (!Number.isInteger(this.maxRetries)) {
      throw new RelyntError('maxRetries must be a whole number, 0 or more.', { code: 'invalid_argument' })
    }
    const logger = createLogger(options.logger, '@x/relynt')
    this.#transport = createTransport({
      baseUrl: this.baseUrl,
      userAgent: `@x/relynt/${VERSION}`,
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
      fetch: options.fetch,
      logger,
      errors: relyntErrors,
      auth: {
        authorize(context) {
          // An absolute approvalPath could point elsewhere: check every URL the secret goes to.
          assertSecureUrl(context.url)
          context.headers.set('authorization', `Bearer ${credential.token}`)
        },
      },
    })
    this.#actions = new Actions(this.#transport, instanceId)
    this.#simulator = new Simulator(this.#transport, instanceId)
    this.approvals = new Approvals(this.#transport, approvalPath, logger)
    this.receipts = new Receipts(this.#transport, instanceId)
    inspectable(this, () => ({
      baseUrl: this.baseUrl,
      agentId: this.agentId,
      instanceId: this.instanceId,
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
    }))
  }

  /**
   * Asks the gateway whether the agent may perform `action` on `resource`. Resolves to
   * the decision (`allow`, `deny`, `pending_approval`) with its receipt; a deny is an
   * answer, not an error. Retried on network errors, timeouts, 429 and 5xx with one
   * idempotency key, so the action runs at most once.
   */
  requestAction(request: ActionRequest): Promise<ActionResult> {
    return this.#actions.request(request)
  }

  /** Waits for the person deciding a `pending_approval`; see `PollApprovalOptions`. */
  pollApproval(options: PollApprovalOptions): Promise<Approval> {
    return this.approvals.poll(options)
  }

  /** What the policy would decide, without side effects (no connector, receipt or approval). */
  simulate(request: SimulateRequest): Promise<Simulation> {
    return this.#simulator.simulate(request)
  }

  /**
   * Runs `run` only once the action is authorised: at once on `allow`, after a person
   * approves on `pending_approval`. A deny, a denied or expired approval throws
   * `ActionDeniedError` without calling `run`.
   */
  guard<T>(
    request: GuardRequest,
    run: (authorization: Authorization) => Promise<T> | T,
  ): Promise<GuardResult<T>> {
    return guard(this, request, run)
  }

  /** Aborts calls in flight; later calls throw. */
  close(): void {
    this.#transport.close()
  }

  /** `await using client = new RelyntClient()` closes the client at the end of the block, like `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}

function parseUrl(value: string): URL {
  try {
    return new URL(value)
  } catch {
    throw new RelyntError('baseUrl is not an absolute URL; use e.g. https://gateway.example.com.', {
      code: 'invalid_argument',
    })
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RelyntError(`${name} must be a finite number, 0 or more.`, { code: 'invalid_argument' })
  }
  return value
}
