import * as z from 'zod/mini'
import { decimalString, type OpenString, optionalNumber, optionalText } from './wire-types.js'

/** Whether a payment intent was approved, by the owner or automatically under the spend limit. */
export type ApprovalStatus = OpenString<
  'approved_by_user' | 'auto_approved' | 'pending_user_approval' | 'rejected'
>
/** Whether a payment intent's payments were made. */
export type ExecutionStatus = OpenString<'pending' | 'completed' | 'failed'>
/** The state of one payment instruction of an intent. */
export type LegStatus = OpenString<'completed' | 'failed' | 'pending'>

export const paymentInstructionSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      amount: decimalString,
      currency: optionalText,
      status: optionalText,
      idempotency_key: optionalText,
      creditor_account: optionalText,
      creditor_name: optionalText,
      debtor_account: optionalText,
      debtor_name: optionalText,
      reference: optionalText,
      transaction_id: optionalText,
      transaction_status: optionalText,
      execution_error: optionalText,
    }),
    z.transform((wire) => ({
      amount: wire.amount,
      currency: wire.currency,
      status: wire.status as LegStatus | undefined,
      idempotencyKey: wire.idempotency_key,
      creditorAccount: wire.creditor_account,
      creditorName: wire.creditor_name,
      debtorAccount: wire.debtor_account,
      debtorName: wire.debtor_name,
      reference: wire.reference,
      transactionId: wire.transaction_id,
      transactionStatus: wire.transaction_status,
      executionError: wire.execution_error,
    })),
  ),
)

/**
 * One payment of a payment intent. Amounts are decimal strings, never floats.
 * @useDeclaredType
 */
export type PaymentInstruction = z.output<typeof paymentInstructionSchema>

export const paymentIntentSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
      agent_id: optionalText,
      agent_name: optionalText,
      conversation_id: optionalText,
      created_at: optionalText,
      approval_status: optionalText,
      execution_status: optionalText,
      total_amount: decimalString,
      currency: optionalText,
      instruction_count: optionalNumber,
      instructions: z.catch(z.nullish(z.array(paymentInstructionSchema)), undefined),
      user_request_summary: optionalText,
      decision_reason: optionalText,
      decided_at: optionalText,
      alignment_outcome: z.optional(z.unknown()),
    }),
    z.transform((wire) => ({
      id: wire.id,
      agentId: wire.agent_id,
      agentName: wire.agent_name,
      conversationId: wire.conversation_id,
      createdAt: wire.created_at,
      approvalStatus: wire.approval_status as ApprovalStatus | undefined,
      executionStatus: wire.execution_status as ExecutionStatus | undefined,
      /** Decimal string, e.g. `"500.00"`: never a float. */
      totalAmount: wire.total_amount,
      currency: wire.currency,
      instructionCount: wire.instruction_count ?? wire.instructions?.length ?? 0,
      instructions: wire.instructions ?? [],
      userRequestSummary: wire.user_request_summary,
      decisionReason: wire.decision_reason,
      decidedAt: wire.decided_at,
      /** Free-form on the wire; kept as sent. */
      alignmentOutcome: wire.alignment_outcome ?? undefined,
    })),
  ),
)

/**
 * A payment the agent set up: its approval, its execution and its instructions.
 * @useDeclaredType
 */
export type PaymentIntent = z.output<typeof paymentIntentSchema>
