import { parseAmount } from './money.js'

/** What the scripted agent understood a chat message to ask for. */
export type AgentCommand =
  | { kind: 'pay'; amountMinor: number; currency?: string; creditorName: string; reference?: string }
  | { kind: 'unclear-payment'; amountText: string }
  | { kind: 'balance' }
  | { kind: 'list-payments' }
  | { kind: 'simulate-failure' }
  | { kind: 'unknown' }

const payPattern =
  /^(?:please\s+)?(?:(?:can|could)\s+you\s+)?pay\s+(?<amount>.+?)\s+to\s+(?<name>.+?)(?:\s+for\s+(?<reference>.+?))?\s*(?:,?\s*please)?\s*[.!?]*$/i
const balancePattern = /\b(?:balance|how much (?:money )?(?:do i have|is left|have i got))\b/i
const listPattern =
  /\b(?:list|show|recent|last|latest)\b.*\b(?:payments|transactions)\b|^\s*(?:payments|transactions)\s*[.?!]*$/i
const failurePattern = /^\s*simulate (?:an? )?agent failure\b/i

/**
 * The sandbox agent's whole vocabulary. Deliberately small and predictable: tests and
 * demos need to know exactly what a message will do.
 */
export function interpretMessage(message: string): AgentCommand {
  if (failurePattern.test(message)) return { kind: 'simulate-failure' }
  const payment = payPattern.exec(message.trim())?.groups
  if (payment) {
    const amountText = payment.amount ?? ''
    const amount = parseAmount(amountText)
    const creditorName = (payment.name ?? '').trim()
    if (!amount || creditorName.length === 0) return { kind: 'unclear-payment', amountText }
    const reference = payment.reference?.trim()
    return {
      kind: 'pay',
      amountMinor: amount.minor,
      ...(amount.currency ? { currency: amount.currency } : {}),
      creditorName: creditorName.slice(0, 140),
      ...(reference ? { reference: reference.slice(0, 140) } : {}),
    }
  }
  if (balancePattern.test(message)) return { kind: 'balance' }
  if (listPattern.test(message)) return { kind: 'list-payments' }
  return { kind: 'unknown' }
}
