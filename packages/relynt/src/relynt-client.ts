import { APIPromise, type TracerProvider } from '@x/core'
import {
  createLogger,
  createSecretScope,
  createTelemetry,
  createTransport,
  envLogLevel,
  inspectable,
  type Logger,
  type LogLevel,
  readEnv,
  secureUrl,
  type Telemetry,
  type Transport,
  type UrlErrorDetails,
} from '@x/core/internal'
import { resolveAgentCredential } from './agent-credential.js'
import { ActionDeniedError, bareSecretErrors, RelyntError, relyntErrors } from './errors.js'
import { type Authorization, type GuardRequest, type GuardResult, guard } from './guard.js'
import { type ActionRequest, Actions } from './resources/actions.js'
import { Approvals, type PollApprovalOptions, realTiming } from './resources/approvals.js'
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
  /**
   * The credential as the dashboard shows it, `<agent_id>:<secret>` (or a bare secret with
   * `agentId`). Env: `RELYNT_AGENT_SECRET`.
   */
  agentSecret?: string
  /**
   * Only for a bare secret: the agent it belongs to. Env: `RELYNT_AGENT_ID`, informational
   * (a credential naming another agent wins over it, with a warning).
   */
  agentId?: string
  /**
   * Sent as `instance_id` by every call that names none of its own: one per agent run.
   * Default: a random UUID.
   */
  instanceId?: string
  /** Per attempt. Default 30 000. */
  timeoutMs?: number
  /**
   * Retries of a failed call (network error, timeout, 429, 5xx). Default 3, waiting 1 s,
   * 2 s, 4 s (plus up to a quarter, as jitter) unless the gateway sends `Retry-After`.
   */
  maxRetries?: number
  /** Default `globalThis.fetch`, read at call time. */
  fetch?: typeof globalThis.fetch
  /** Largest response body read, in bytes; a larger one fails with NetworkError `response_too_large`. Default 10 MiB. */
  maxResponseBytes?: number
  /** Headers sent with every request (a call's own `headers` win). */
  defaultHeaders?: Record<string, string>
  /** A logger (pino, console…) or a level for console logging. Default `RELYNT_LOG`, else 'warn'. Secrets are redacted. */
  logger?: Logger | LogLevel
  /**
   * Allow `http://` to a host other than this machine, e.g. an on-premises gateway inside a
   * trusted network. The agent secret then travels unencrypted; a warning is logged.
   */
  allowInsecureHttp?: boolean
  /** Where an approval's status is read; `{approvalId}` is replaced. Default `/v1/approvals/{approvalId}`. */
  approvalPath?: string
  /**
   * Where spans go. Default: the provider the application registered through
   * `@opentelemetry/api` (an optional peer dependency; e.g. `provider.register()`), found
   * whenever a span starts; with none registered nothing is recorded. Pass a provider to use
   * one that is not registered globally; `false` records nothing. See "Telemetry" in the README.
   */
  tracerProvider?: TracerProvider | false
}

const DEFAULT_APPROVAL_PATH = '/v1/approvals/{approvalId}'

/**
 * Client for the Relynt authorization gateway. Ask before acting (`requestAction`), wait
 * for a person when the policy says so (`pollApproval`), or let `guard` do both around
 * your function; every decision leaves a signed receipt (`receipts`).
 */
export class RelyntClient {
  readonly baseUrl: string
  readonly agentId: string | undefined
  /** The `instance_id` of calls that name none of their own (`requestAction({ instanceId })`). */
  readonly instanceId: string
  readonly timeoutMs: number
  readonly maxRetries: number
  readonly receipts: Receipts
  readonly approvals: Approvals
  readonly #transport: Transport
  readonly #actions: Actions
  readonly #simulator: Simulator
  readonly #telemetry: Telemetry

  constructor(options: RelyntClientOptions = {}) {
    const baseUrl = options.baseUrl ?? readEnv('RELYNT_API_BASE_URL')
    if (!baseUrl) {
      throw new RelyntError(
        'No gateway URL: pass { baseUrl } to RelyntClient or set RELYNT_API_BASE_URL (e.g. https://gateway.example.com).',
        { code: 'missing_base_url' },
      )
    }
    const logger = createLogger(options.logger ?? envLogLevel('RELYNT_LOG'), '@x/relynt')
    const urlPolicy = {
      allowInsecureHttp: options.allowInsecureHttp,
      logger,
      protects: 'the agent secret and action payloads',
      error: (message: string, details: UrlErrorDetails) => new RelyntError(message, details),
    }
    // Checked before the secret is even read, so a misconfiguration can never send it.
    const url = secureUrl(baseUrl, { ...urlPolicy, name: 'baseUrl' })
    const credential = resolveAgentCredential(
      options.agentSecret ?? readEnv('RELYNT_AGENT_SECRET'),
      options.agentId ?? readEnv('RELYNT_AGENT_ID'),
      {
        agentIdFromEnv: options.agentId === undefined,
        debug: (message) => logger.debug(message),
        warn: (message) => logger.warn(message),
      },
    )
    // Scrubbed by value from every error and log line, however a server echoes it back.
    const secrets = createSecretScope()
    secrets.add(credential.token, 'agentSecret')
    secrets.add(credential.secret, 'agentSecret')
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
    this.#telemetry = createTelemetry({
      name: '@x/relynt',
      version: VERSION,
      namespace: 'relynt',
      tracerProvider: options.tracerProvider,
    })
    this.#transport = createTransport({
      baseUrl: this.baseUrl,
      userAgent: `@x/relynt/${VERSION}`,
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
      fetch: options.fetch,
      maxResponseBytes: options.maxResponseBytes,
      headers: options.defaultHeaders,
      logger,
      errors: credential.agentId === undefined ? bareSecretErrors : relyntErrors,
      telemetry: this.#telemetry,
      // The documented schedule: 1 s, doubling (2 s, 4 s…), jittered upwards so no retry
      // comes sooner than the gateway's error-handling guide asks.
      retry: { baseDelayMs: 1_000, jitter: 'additive' },
      secrets,
      auth: {
        authorize(context) {
          // An absolute approvalPath could point elsewhere: check every URL the secret goes to.
          secureUrl(context.url, { ...urlPolicy, name: 'approvalPath', allowQuery: true, logger: undefined })
          context.headers.set('authorization', `Bearer ${credential.token}`)
        },
      },
    })
    this.#actions = new Actions(this.#transport, instanceId)
    this.#simulator = new Simulator(this.#transport, instanceId)
    this.approvals = new Approvals(this.#transport, approvalPath, logger, realTiming, this.#telemetry)
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
   * idempotency key, so the action runs at most once. `.withResponse()` adds the raw
   * response and request id.
   */
  requestAction(request: ActionRequest): APIPromise<ActionResult> {
    const attributes = { 'relynt.action': actionName(request) }
    return new APIPromise(
      this.#telemetry.span('relynt.request_action', attributes, async (span) => {
        const result = await this.#actions.request(request)
        span.set(decisionAttributes(result.data))
        return result
      }),
    )
  }

  /**
   * Waits for the person deciding a `pending_approval`: `pollApproval('apr_…')`, or
   * `pollApproval({ approvalId, timeoutMs, signal, onPoll })` (see `PollApprovalOptions`).
   */
  pollApproval(options: PollApprovalOptions | string): Promise<Approval> {
    return this.approvals.poll(options)
  }

  /**
   * What the policy would decide, without side effects (no connector, receipt or approval).
   * `.withResponse()` adds the raw response and request id.
   */
  simulate(request: SimulateRequest): APIPromise<Simulation> {
    return new APIPromise(this.#simulator.simulate(request))
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
    const attributes = { 'relynt.action': actionName(request) }
    return this.#telemetry.span('relynt.guard', attributes, async (span) => {
      let ran = false
      const traced =
        typeof run === 'function'
          ? (authorization: Authorization) => {
              ran = true
              return run(authorization)
            }
          : run
      try {
        const result = await guard(this, request, traced)
        span.set({ ...decisionAttributes(result.authorization), 'relynt.guard.ran': true })
        return result
      } catch (error) {
        if (ActionDeniedError.isInstance(error)) span.set(decisionAttributes(error))
        span.set({ 'relynt.guard.ran': ran })
        throw error
      }
    })
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

/** The action's name for a span, when the request has one (a bad request fails later, as before). */
function actionName(request: { action?: unknown } | undefined): string | undefined {
  const action = (request as { action?: unknown } | undefined)?.action
  return typeof action === 'string' ? action.slice(0, 256) : undefined
}

/** The ids and decision of a result, an authorization or a denial: never its payload or tool response. */
function decisionAttributes(outcome: {
  decision: string
  receiptId: string
  approvalId?: string | undefined
  riskLevel?: string | undefined
  policyVersion?: string | undefined
}) {
  return {
    'relynt.decision': outcome.decision,
    'relynt.receipt_id': outcome.receiptId,
    'relynt.approval_id': outcome.approvalId,
    'relynt.risk_level': outcome.riskLevel,
    'relynt.policy_version': outcome.policyVersion,
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RelyntError(`${name} must be a finite number, 0 or more.`, { code: 'invalid_argument' })
  }
  return value
}
