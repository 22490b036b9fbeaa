import type { PendingCall } from '@x/agent-tools'

/** A pending payment as ralio_pay records it: ids of the gateway's length, a typical reference. */
export function pendingCall(index: number): PendingCall {
  const id = index.toString(16).padStart(32, '0')
  return {
    approvalId: `apr_${id}`,
    toolName: 'ralio_pay',
    input: {
      amount: '4800.00',
      currency: 'GBP',
      payee: 'Northwind Logistics',
      reference: `freight invoice ${index}`,
    },
    idempotencyKey: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
    sessionId: `mcp:${crypto.randomUUID()}`,
    toolCallId: `call_${index}`,
    receiptId: `rec_${id}`,
    reason: 'Amount exceeds max_amount_change threshold (1000)',
    createdAt: Date.now(),
  }
}
