import type { RelyntClient, Simulation } from '@x/relynt'
import * as z from 'zod/mini'
import type { AgentTool } from '../agent-tool.js'
import { defineTool } from '../define-tool.js'
import { invalidTool } from '../errors.js'

/** What the Relynt tools need of a client (a `RelyntClient` has it all). */
export type RelyntToolsClient = Pick<RelyntClient, 'simulate'> & {
  readonly receipts: Pick<RelyntClient['receipts'], 'get' | 'verify'>
}

const simulateInput = z.object({
  action: z.string().check(z.minLength(1), z.describe('The action to check, e.g. "ralio.pay".')),
  resource: z
    .string()
    .check(z.minLength(1), z.describe('What it acts on, e.g. "ralio:payee:acme-stationery".')),
  payload: z.optional(
    z
      .record(z.string(), z.unknown())
      .check(z.describe('The fields the policy reads, e.g. { "amount": 120 }.')),
  ),
})

/** `relynt_simulate`: what the policy would decide, with no side effect (no receipt, no approval). */
export function relyntSimulateTool(
  relynt: RelyntToolsClient,
): AgentTool<z.infer<typeof simulateInput>, Simulation> {
  if (typeof relynt?.simulate !== 'function') throw invalidTool('relynt_simulate needs a RelyntClient.')
  return defineTool({
    name: 'relynt_simulate',
    description:
      'Ask what the organisation policy would decide for an action (allow, deny, or needs approval) without doing ' +
      'anything: no receipt, no approval request. Use it to plan, not to get permission.',
    input: simulateInput,
    output: {
      result: z.looseObject({
        decision: z.string(),
        requiresApproval: z.boolean(),
        riskLevel: z.optional(z.string()),
        reason: z.optional(z.string()),
        policyVersion: z.optional(z.string()),
        matchedRule: z.nullable(z.looseObject({})),
      }),
    },
    annotations: { title: 'Simulate a policy decision', readOnlyHint: true, openWorldHint: true },
    execute: (input, { signal }) => relynt.simulate({ ...input, signal }),
  })
}

const verifyInput = z.object({
  receiptId: z.string().check(z.minLength(1), z.describe('The receiptId of an earlier tool result.')),
})

/** What `relynt_verify_receipt` returns: whether the gateway's signature holds, and the receipt. */
export interface VerifiedReceipt {
  receiptId: string
  /** The gateway checked the receipt's signature: false means it was altered after signing. */
  valid: boolean
  decision: string
  action: string
  resource: string
  createdAt: string
  approver?: string
  reason?: string
}

/** `relynt_verify_receipt`: the gateway checks a receipt's signature; the receipt's gist comes back with it. */
export function relyntVerifyReceiptTool(
  relynt: RelyntToolsClient,
): AgentTool<z.infer<typeof verifyInput>, VerifiedReceipt> {
  if (typeof relynt?.receipts?.verify !== 'function')
    throw invalidTool('relynt_verify_receipt needs a RelyntClient.')
  return defineTool({
    name: 'relynt_verify_receipt',
    description:
      'Verify a signed Relynt receipt (from the receiptId of an earlier result): whether its signature is valid, and ' +
      'what was decided, on what, and by whom. Read-only.',
    input: verifyInput,
    output: {
      result: z.object({
        receiptId: z.string(),
        valid: z.boolean(),
        decision: z.string(),
        action: z.string(),
        resource: z.string(),
        createdAt: z.string(),
        approver: z.optional(z.string()),
        reason: z.optional(z.string()),
      }),
    },
    annotations: { title: 'Verify a receipt', readOnlyHint: true, openWorldHint: true },
    async execute({ receiptId }, { signal }) {
      const [valid, receipt] = await Promise.all([
        relynt.receipts.verify(receiptId, { signal }),
        relynt.receipts.get(receiptId, { signal }),
      ])
      const verified: VerifiedReceipt = {
        receiptId: receipt.receiptId,
        valid,
        decision: receipt.decision,
        action: receipt.action,
        resource: receipt.resource,
        createdAt: receipt.createdAt,
      }
      if (receipt.approver) verified.approver = receipt.approver
      if (receipt.reason) verified.reason = receipt.reason
      return verified
    },
  })
}
