import { parseAmount, parseDecimalAmount } from './money.js'

/** What the scripted agent understood a chat message to ask for. */
export type AgentCommand =
  | {
      kind: 'pay'
      amountMinor: number
      currency?: string
      creditorName: string
      reference?: string
      /** The Relynt receipt a structured instruction names. */
      receiptId?: string
    }
  | { kind: 'unclear-payment'; amountText: string }
  | { kind: 'unclear-instruction'; problem: string }
  | { kind: 'balance' }
  | { kind: 'list-payments' }
  | { kind: 'simulate-failure' }
  | { kind: 'unknown' }

const payPattern =
  /^(?:please\s+)?(?:(?:can|could)\s+you\s+)?pay\s+(?<amount>.+?)\s+to\s+(?<name>.+?)(?:\s+for\s+(?<reference>.+?))?\s*(?:,?\s*please)?\s*[.!?]*$/i
// The structured form `@x/agent-tools` sends: a fixed sentence, then one JSON object whose
// string fields are taken literally, so no creditor or reference text can restructure the payment.
const instructionPattern =
  /^Make exactly one payment with the fields of this JSON object\b[^{]*(?<fields>\{.*\})$/s
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
  const instruction = instructionPattern.exec(message.trim())?.groups?.fields
  if (instruction !== undefined) return interpretInstruction(instruction)
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

const instructionFields = ['amount', 'currency', 'creditor', 'reference'] as const

/** Pays exactly the delimited fields, or says which one it could not read; never guesses. */
function interpretInstruction(json: string): AgentCommand {
  let fields: Record<string, unknown>
  try {
    fields = JSON.parse(json)
  } catch {
    return { kind: 'unclear-instruction', problem: 'the fields are not one JSON object' }
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    return { kind: 'unclear-instruction', problem: 'the fields are not one JSON object' }
  }
  for (const name of instructionFields) {
    const value = fields[name]
    if (typeof value !== 'string' || value.trim() === '' || value.length > 140) {
      return {
        kind: 'unclear-instruction',
        problem: `"${name}" must be a non-empty text of at most 140 characters`,
      }
    }
  }
  const { amount, currency, creditor, reference } = fields as Record<
    (typeof instructionFields)[number],
    string
  >
  let amountMinor: number
  try {
    amountMinor = parseDecimalAmount(amount, 'amount')
  } catch {
    return { kind: 'unclear-payment', amountText: amount }
  }
  if (amountMinor <= 0) return { kind: 'unclear-payment', amountText: amount }
  if (!/^[A-Z]{3}$/.test(currency)) {
    return { kind: 'unclear-instruction', problem: `"${currency}" is not an ISO 4217 currency code` }
  }
  const receiptId = typeof fields.relynt_receipt === 'string' ? fields.relynt_receipt : undefined
  return {
    kind: 'pay',
    amountMinor,
    currency,
    creditorName: creditor,
    reference,
    ...(receiptId ? { receiptId } : {}),
  }
}
