import { randomUUID } from 'node:crypto'
import type { SandboxAgent } from './agent-directory.js'
import { type AgentCommand, interpretMessage } from './agent-script.js'
import { type ChatMessage, type Conversation, ConversationStore } from './conversation-store.js'
import { formatMinorUnits, formatMoney } from './money.js'
import type { PaymentsLedger } from './payments-ledger.js'

/** One step of an agent turn, in the order a stream shows it. */
export type AgentEvent =
  | { type: 'tool_started'; tool_call_id: string; tool_name: string; arguments: Record<string, unknown> }
  | { type: 'tool_completed'; tool_call_id: string; tool_name: string; result: unknown }
  | { type: 'tool_failed'; tool_call_id: string; tool_name: string; error: string }
  | { type: 'reply'; text: string }
  | { type: 'error'; message: string }

export interface AgentTurn {
  events: AgentEvent[]
  /** Messages this turn added to the conversation, the user's first. */
  newMessages: ChatMessage[]
  /** The reply text, or undefined when the agent failed. */
  reply: string | undefined
}

export interface AgentTurnInput {
  agent: SandboxAgent
  conversation: Conversation
  message: string
  ledger: PaymentsLedger
  now: () => string
}

const helpText =
  'I can pay someone ("Pay £25 to Alice for lunch"), tell you your balance ("What is my balance?") ' +
  'or list your recent payments ("List my recent payments").'

/**
 * Runs one scripted turn: the work (payments, lookups) happens here, at once; a stream
 * only paces how the resulting events are shown.
 */
export function runAgentTurn(input: AgentTurnInput): AgentTurn {
  const { agent, conversation, ledger } = input
  const events: AgentEvent[] = []
  const newMessages: ChatMessage[] = [ConversationStore.message('user', input.message, input.now())]
  const toolMessage = (content: unknown) =>
    newMessages.push(ConversationStore.message('tool', JSON.stringify(content), input.now()))
  const startTool = (toolName: string, args: Record<string, unknown>) => {
    const id = `call_${randomUUID()}`
    events.push({ type: 'tool_started', tool_call_id: id, tool_name: toolName, arguments: args })
    return {
      complete(result: unknown) {
        events.push({ type: 'tool_completed', tool_call_id: id, tool_name: toolName, result })
        toolMessage({ tool_name: toolName, result })
      },
      fail(error: string) {
        events.push({ type: 'tool_failed', tool_call_id: id, tool_name: toolName, error })
        toolMessage({ tool_name: toolName, error })
      },
    }
  }

  const command = interpretMessage(input.message)
  let reply: string
  switch (command.kind) {
    case 'simulate-failure': {
      events.push({ type: 'error', message: 'the agent failed while thinking (simulated failure)' })
      conversation.messages.push(...newMessages)
      return { events, newMessages, reply: undefined }
    }
    case 'pay': {
      const currency = command.currency ?? agent.currency
      const tool = startTool('create_payment_intent', {
        amount: formatMinorUnits(command.amountMinor),
        currency,
        creditor_name: command.creditorName,
        reference: command.reference ?? null,
      })
      const amount = formatMoney(command.amountMinor, currency)
      if (currency !== agent.currency) {
        tool.fail(`this agent's account holds ${agent.currency}; it cannot pay in ${currency}`)
        reply = `I can't pay ${amount}: this account only holds ${agent.currency}. Try the amount in ${agent.currency}.`
        break
      }
      const intent = ledger.propose({
        agent,
        conversationId: conversation.id,
        amountMinor: command.amountMinor,
        creditorName: command.creditorName,
        ...(command.reference ? { reference: command.reference } : {}),
        userRequestSummary: requestSummary(command, amount),
      })
      const leg = intent.legs[0]
      const forReference = command.reference ? ` for ${command.reference}` : ''
      if (intent.executionStatus === 'failed') {
        tool.fail(`${leg?.executionError ?? 'the payment failed'} (payment intent ${intent.id})`)
        reply = `I couldn't pay ${amount} to ${command.creditorName}: ${leg?.executionError ?? 'the payment failed'}.`
        break
      }
      tool.complete({
        payment_intent_id: intent.id,
        approval_status: intent.approvalStatus,
        execution_status: intent.executionStatus,
        total_amount: formatMinorUnits(intent.totalMinor),
        currency: intent.currency,
        transaction_id: leg?.transactionId ?? null,
      })
      if (intent.approvalStatus === 'pending_user_approval') {
        newMessages.push(
          ConversationStore.message(
            'spend_limit_approval',
            `Payment of ${amount} to ${command.creditorName}${forReference} is above the spend limit and needs the owner's approval (payment intent ${intent.id}).`,
            input.now(),
          ),
        )
        reply =
          `${amount} is above your spend limit of ${formatMoney(ledger.spendLimitMinor, agent.currency)}, ` +
          `so I've asked the owner to approve the payment to ${command.creditorName}${forReference}. ` +
          `Payment intent ${intent.id} is waiting for approval.`
        break
      }
      reply =
        `Done: I paid ${amount} to ${command.creditorName}${forReference}. ` +
        `Your balance is now ${formatMoney(ledger.balanceMinor(agent.id), agent.currency)}.`
      break
    }
    case 'unclear-instruction': {
      reply = `I couldn't read the payment instruction (${command.problem}), so I paid nothing.`
      break
    }
    case 'unclear-payment': {
      reply = `I couldn't read "${command.amountText}" as an amount. Try something like "Pay £25 to Alice for lunch".`
      break
    }
    case 'balance': {
      const tool = startTool('get_balance', {})
      const balance = ledger.balanceMinor(agent.id)
      tool.complete({ balance: formatMinorUnits(balance), currency: agent.currency })
      reply = `Your balance is ${formatMoney(balance, agent.currency)}.`
      break
    }
    case 'list-payments': {
      const tool = startTool('list_transactions', { limit: 5 })
      const recent = ledger.listTransactions(agent.id).slice(0, 5)
      tool.complete({ transactions: recent.map((transaction) => ledger.transactionToWire(transaction)) })
      reply =
        recent.length === 0
          ? "You haven't made any payments yet."
          : `Your recent payments:\n${recent
              .map(
                (transaction) =>
                  `- ${formatMoney(transaction.amountMinor, transaction.currency)} to ${transaction.creditor}` +
                  `${transaction.reference ? ` (${transaction.reference})` : ''}, ${ledger.transactionStatus(transaction)}`,
              )
              .join('\n')}`
      break
    }
    case 'unknown': {
      reply = `Sorry, I didn't catch that. ${helpText}`
      break
    }
  }
  events.push({ type: 'reply', text: reply })
  newMessages.push(ConversationStore.message('assistant', reply, input.now()))
  conversation.messages.push(...newMessages)
  return { events, newMessages, reply }
}

/** What the intent records of the request, with the authorisation link a structured instruction named. */
function requestSummary(command: Extract<AgentCommand, { kind: 'pay' }>, amount: string): string {
  const summary = `Pay ${amount} to ${command.creditorName}${command.reference ? ` for ${command.reference}` : ''}`
  const link = command.receiptId ? `[relynt:${command.receiptId}]` : undefined
  return link === undefined || summary.includes(link) ? summary : `${summary} ${link}`
}
