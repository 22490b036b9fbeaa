import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { observePayment, type PaymentStatus, type Reconciliation, reconcilePayments } from '@x/agent-tools'
import { type PaymentIntent, RalioClient, RalioConfigError, register, type Transaction } from '@x/ralio'
import { ActionDeniedError, type Authorization, RelyntClient } from '@x/relynt'
import {
  authorisedPayment,
  demoPayments,
  gatewayRequest,
  type Payment,
  paymentAroundTheGateway,
  paymentMessage,
} from './payments.js'
import type { Renderer, Waiting } from './render.js'
import { approveAsFinanceLead, type RalioEndpoint, type Services, startServices } from './sandboxes.js'

export interface PipelineOptions {
  /** Where progress goes: a terminal renderer in the CLI, a collecting one in tests. */
  renderer: Renderer
  /** Default `process.env`: RALIO_API_URL, RELYNT_API_BASE_URL and their credentials. */
  env?: Record<string, string | undefined>
  /** 'human' paces the local agent's stream and the approver like people; 'fast' for CI and tests. */
  pacing?: 'human' | 'fast'
  payments?: Payment[]
  signal?: AbortSignal
}

/** How one payment ended, from the gateway's decision to Ralio's payment intent. */
export interface PaymentOutcome {
  payment: Payment
  /** 'allowed' at once, 'approved' by a person after `pending_approval`, or 'denied' (also: 'expired'). */
  decision: 'allowed' | 'approved' | 'denied' | 'expired'
  /** What the gateway first answered. */
  gatewayDecision: 'allow' | 'pending_approval' | 'deny'
  reason: string | undefined
  approvalId: string | undefined
  /** Who approved, as the final receipt records it. */
  approver: string | undefined
  /** The receipt of the final decision. */
  receiptId: string
  /** The gateway's check of the receipt's signature. */
  receiptVerified: boolean
  /** The receipt's request_hash equals the hash of what this host sent. */
  requestHashMatches: boolean
  /** Set when the agent was asked to pay (the action was authorised). */
  conversationId: string | undefined
  agentReply: string | undefined
  /**
   * What Ralio did, read back after the agent's turn: `paid`, or why not (`not_executed`,
   * `mismatch`, `awaiting_owner_approval`, `processing`). Unset when nothing was authorised.
   */
  paymentStatus: PaymentStatus | undefined
  /** The payment intent Ralio set up for this payment. */
  paymentIntentId: string | undefined
}

export interface PipelineSummary {
  outcomes: PaymentOutcome[]
  /** The payment intents of this run's conversations, as Ralio lists them. */
  paymentIntents: PaymentIntent[]
  /** The transactions executing those intents. */
  transactions: Transaction[]
  /** Every payment of the run paired with its receipt, the one made around the gateway included. */
  reconciliation: Reconciliation
  ralioUrl: string
  relyntUrl: string
}

const approver = 'slack:finance-lead'

/**
 * The whole demo: an agent host that asks Relynt before every payment and only then
 * lets the Ralio agent pay. Starts local sandboxes for what the environment doesn't
 * name, and closes everything it opened, whatever happens.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineSummary> {
  const { renderer, signal } = options
  const env = options.env ?? process.env
  const human = options.pacing === 'human'
  const payments = options.payments ?? demoPayments

  renderer.title('Guarded pipeline: Relynt decides, Ralio pays')
  // The reconciliation window: this run's receipts and payments, whatever else the services hold.
  const runStarted = new Date()
  const services = await startServices({
    env,
    streamDelayMs: human ? 45 : 0,
    // Above every demo payment: the agent executes what the gateway authorised without
    // asking its owner a second time.
    spendLimit: '10000.00',
  })
  let temporaryConfigDir: string | undefined
  let ralio: RalioClient | undefined
  let relynt: RelyntClient | undefined
  try {
    renderer.step('Ralio', services.ralio.local ? `sandbox at ${services.ralio.url}` : services.ralio.url)
    renderer.step('Relynt', services.relynt.local ? `sandbox at ${services.relynt.url}` : services.relynt.url)
    if (services.relynt.consoleUrl !== undefined) {
      renderer.step('Console', `approve in your browser: ${services.relynt.consoleUrl}`)
    }

    // 1. A binding for this host (in a throwaway directory, never ~/.ralio) and an agent credential.
    if (services.ralio.ticket !== undefined) {
      temporaryConfigDir = await mkdtemp(join(tmpdir(), 'guarded-pipeline-'))
    }
    ralio = await connectRalio(services.ralio, temporaryConfigDir, renderer)
    relynt = new RelyntClient({
      baseUrl: services.relynt.url,
      agentId: services.relynt.agentId,
      agentSecret: services.relynt.agentSecret,
    })
    renderer.step('Agent credential', `Relynt agent ${relynt.agentId}, run ${relynt.instanceId}`)

    // 2. Every payment goes through the gateway first.
    const outcomes: PaymentOutcome[] = []
    for (const [index, payment] of payments.entries()) {
      renderer.paymentStart(index + 1, payments.length, payment)
      outcomes.push(await guardedPayment({ payment, ralio, relynt, services, renderer, human, signal }))
    }

    // 3. What Ralio holds for this run, next to what the gateway decided.
    const { paymentIntents, transactions } = await paymentsMadeBy(ralio, outcomes, signal)

    // 4. One payment straight through the Ralio SDK, never shown to the gateway; then prove every payment.
    renderer.step(
      'Around the gateway',
      `paying ${paymentAroundTheGateway.payee} straight through the Ralio SDK, without asking Relynt`,
    )
    await ralio.chat.send({ message: paymentMessage(paymentAroundTheGateway), signal })
    const reconciliation = await reconcilePayments({
      ralio,
      relynt,
      since: runStarted,
      until: new Date(),
      signal,
    })
    const summary: PipelineSummary = {
      outcomes,
      paymentIntents,
      transactions,
      reconciliation,
      ralioUrl: services.ralio.url,
      relyntUrl: services.relynt.url,
    }
    renderer.summary(summary)
    return summary
  } finally {
    ralio?.close()
    relynt?.close()
    await services.close()
    if (temporaryConfigDir !== undefined) await rm(temporaryConfigDir, { recursive: true, force: true })
  }
}

/**
 * The payment intents of this run's conversations and the transactions executing them,
 * in the order of the payments (Ralio lists newest first, and may hold older ones).
 */
async function paymentsMadeBy(
  ralio: RalioClient,
  outcomes: PaymentOutcome[],
  signal: AbortSignal | undefined,
): Promise<{ paymentIntents: PaymentIntent[]; transactions: Transaction[] }> {
  const conversationOrder = outcomes.flatMap((outcome) => outcome.conversationId ?? [])
  const paymentIntents: PaymentIntent[] = []
  for await (const intent of ralio.paymentIntents.list({ perPage: 100, signal })) {
    if (intent.conversationId !== undefined && conversationOrder.includes(intent.conversationId)) {
      paymentIntents.push(intent)
    }
  }
  paymentIntents.sort(
    (a, b) =>
      conversationOrder.indexOf(a.conversationId ?? '') - conversationOrder.indexOf(b.conversationId ?? ''),
  )
  const intentOrder = paymentIntents.map((intent) => intent.id)
  const transactions: Transaction[] = []
  for await (const transaction of ralio.transactions.list({ perPage: 100, signal })) {
    if (transaction.paymentIntentId !== undefined && intentOrder.includes(transaction.paymentIntentId)) {
      transactions.push(transaction)
    }
  }
  transactions.sort(
    (a, b) => intentOrder.indexOf(a.paymentIntentId ?? '') - intentOrder.indexOf(b.paymentIntentId ?? ''),
  )
  return { paymentIntents, transactions }
}

async function connectRalio(
  endpoint: RalioEndpoint,
  temporaryConfigDir: string | undefined,
  renderer: Renderer,
): Promise<RalioClient> {
  if (endpoint.ticket !== undefined && temporaryConfigDir !== undefined) {
    const binding = await register({
      ticket: endpoint.ticket,
      baseUrl: endpoint.url,
      configDir: temporaryConfigDir,
      clientMetadata: { application: 'guarded-pipeline' },
    })
    renderer.step(
      'Registered',
      `binding ${binding.clientId} (${binding.scopes.join(', ')}), key in a temporary directory`,
    )
    return new RalioClient({ baseUrl: endpoint.url, configDir: temporaryConfigDir })
  }
  if (endpoint.configDir !== undefined) {
    renderer.step('Binding', `using the credentials in RALIO_CONFIG_DIR`)
    return new RalioClient({ baseUrl: endpoint.url, configDir: endpoint.configDir })
  }
  throw new RalioConfigError(
    'RALIO_API_URL is set but there is no binding to use: set RALIO_REGISTRATION_TICKET to a fresh ' +
      'registration ticket (the demo registers into a temporary directory), or RALIO_CONFIG_DIR to a ' +
      'directory where register() stored credentials.',
    { code: 'missing_binding' },
  )
}

interface GuardedPaymentInput {
  payment: Payment
  ralio: RalioClient
  relynt: RelyntClient
  services: Services
  renderer: Renderer
  human: boolean
  signal: AbortSignal | undefined
}

async function guardedPayment(input: GuardedPaymentInput): Promise<PaymentOutcome> {
  const { payment, ralio, relynt, services, renderer, signal } = input
  const { adminToken } = services.relynt
  const request = gatewayRequest(payment)
  // Lets a failing approver stop the wait at once instead of letting it run to its timeout.
  const stop = new AbortController()
  const guardSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal
  let approverFailure: unknown
  let approverTimer: NodeJS.Timeout | undefined
  let waiting: Waiting | undefined
  let waitStarted = 0

  try {
    const { value: agentRun, authorization } = await relynt.guard(
      {
        ...request,
        signal: guardSignal,
        // A person in Slack may take a while; the local approver answers in seconds.
        timeoutMs: adminToken !== undefined ? 60_000 : 300_000,
        onPoll(status, attempt, approval) {
          if (status !== 'pending' && status !== 'pending_approval') {
            waiting?.stop()
            return
          }
          if (attempt === 1) {
            waitStarted = Date.now()
            renderer.decision('pending', `needs a person's approval (approval ${approval.approvalId})`)
            waiting = renderer.waiting(
              adminToken !== undefined
                ? `Waiting for the finance lead to approve ${approval.approvalId}`
                : `Waiting for someone to approve ${approval.approvalId} in Slack`,
            )
            if (adminToken !== undefined) {
              approverTimer = setTimeout(
                () => {
                  approveAsFinanceLead(
                    { url: services.relynt.url, adminToken },
                    approval.approvalId,
                    approver,
                  ).catch((error: unknown) => {
                    approverFailure = error
                    stop.abort(error)
                  })
                },
                input.human ? 3_000 : 300,
              )
            }
            return
          }
          const seconds = Math.round((Date.now() - waitStarted) / 1000)
          waiting?.update(
            `Still waiting for approval ${approval.approvalId} (${seconds} s, ${attempt} checks)`,
          )
        },
      },
      (authorization) => {
        renderer.decision(
          authorization.approvalId === undefined ? 'allow' : 'approved',
          describeAuthorization(authorization, waitStarted),
        )
        return payThroughAgent(ralio, payment, authorization.receiptId, renderer, signal)
      },
    )
    // The gateway said yes; only Ralio can say what was paid.
    const effect = await observePayment(ralio, {
      conversationId: agentRun.conversationId ?? '',
      reply: agentRun.reply,
      authorised: authorisedPayment(payment),
      receiptId: authorization.receiptId,
      signal,
    })
    renderer.effect(effect.status, effect.message)
    const receipt = await checkReceipt(relynt, authorization.receiptId, request, signal)
    return {
      payment,
      decision: authorization.approvalId === undefined ? 'allowed' : 'approved',
      gatewayDecision: authorization.approvalId === undefined ? 'allow' : 'pending_approval',
      reason: authorization.reason,
      approvalId: authorization.approvalId,
      approver: receipt.approver ?? authorization.approval?.decidedBy ?? undefined,
      receiptId: authorization.receiptId,
      receiptVerified: receipt.verified,
      requestHashMatches: receipt.requestHashMatches,
      conversationId: agentRun.conversationId,
      agentReply: agentRun.reply,
      paymentStatus: effect.status,
      paymentIntentId: effect.fields.paymentIntentId,
    }
  } catch (error) {
    if (approverFailure !== undefined) throw approverFailure
    if (!ActionDeniedError.isInstance(error)) throw error
    waiting?.stop()
    const expired = error.decision === 'expired'
    renderer.decision(
      'deny',
      `${error.decision === 'deny' ? 'denied by policy' : `approval ${error.decision}`}` +
        `${error.reason ? `: ${error.reason}` : ''}; the agent was never asked to pay`,
    )
    const receipt = await checkReceipt(relynt, error.receiptId, request, signal)
    return {
      payment,
      decision: expired ? 'expired' : 'denied',
      gatewayDecision: error.approvalId === undefined ? 'deny' : 'pending_approval',
      reason: error.reason,
      approvalId: error.approvalId,
      approver: receipt.approver,
      receiptId: error.receiptId,
      receiptVerified: receipt.verified,
      requestHashMatches: receipt.requestHashMatches,
      conversationId: undefined,
      agentReply: undefined,
      paymentStatus: undefined,
      paymentIntentId: undefined,
    }
  } finally {
    clearTimeout(approverTimer)
    waiting?.stop()
  }
}

function describeAuthorization(authorization: Authorization, waitStarted: number): string {
  const because = authorization.reason ? ` (${authorization.reason})` : ''
  if (authorization.approvalId === undefined) {
    return `allowed by policy ${authorization.policyVersion ?? ''}${because}`.replace('  ', ' ')
  }
  const seconds = ((Date.now() - waitStarted) / 1000).toFixed(1)
  const who = authorization.approval?.decidedBy ?? 'a person'
  return `approved by ${who} after ${seconds} s${because}`
}

interface AgentRun {
  conversationId: string | undefined
  reply: string
}

/** Asks the Ralio agent to pay exactly the authorised fields, showing its tool calls and words as they stream. */
async function payThroughAgent(
  ralio: RalioClient,
  payment: Payment,
  receiptId: string,
  renderer: Renderer,
  signal: AbortSignal | undefined,
): Promise<AgentRun> {
  const message = paymentMessage(payment, receiptId)
  renderer.userMessage(message)
  const stream = ralio.chat.stream({ message, signal })
  let reply = ''
  for await (const event of stream) {
    renderer.agentEvent(event)
    if (event.event === 'reply') reply = event.text ?? ''
  }
  return { conversationId: stream.conversationId, reply }
}

interface ReceiptCheck {
  verified: boolean
  requestHashMatches: boolean
  approver: string | undefined
}

async function checkReceipt(
  relynt: RelyntClient,
  receiptId: string,
  sent: { action: string; resource: string; payload: Record<string, unknown> },
  signal: AbortSignal | undefined,
): Promise<ReceiptCheck> {
  const [receipt, verified] = await Promise.all([
    relynt.receipts.get(receiptId, { signal }),
    relynt.receipts.verify(receiptId, { signal }),
  ])
  const requestHashMatches = await relynt.receipts.verifyRequestHash(receipt, sent, { signal })
  return { verified, requestHashMatches, approver: receipt.approver }
}
