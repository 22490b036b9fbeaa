import { MockLanguageModelV4 } from 'ai/test'

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 0, text: 0, reasoning: undefined },
}

/** The invoices the prompt asks to pay, as the model would turn them into tool calls. */
export const invoices = [
  { amount: '120.00', currency: 'GBP', payee: 'Acme Stationery', reference: 'office supplies' },
  {
    amount: '4800.00',
    currency: 'GBP',
    payee: 'Northwind Logistics',
    reference: 'the April freight invoice',
  },
  { amount: '950.00', currency: 'GBP', payee: 'Globex Holdings', reference: 'consulting retainer' },
]

/**
 * Stands in for a real model, offline: on the first step it calls `ralio_pay` once per
 * invoice; on the next it reads the tool results it was given and sums them up.
 */
export function scriptedModel(): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doGenerate: async (options) => {
      const results = toolResults(options)
      if (results.length === 0) {
        return {
          content: invoices.map((invoice, index) => ({
            type: 'tool-call' as const,
            toolCallId: `call_pay_${index + 1}`,
            toolName: 'ralio_pay',
            input: JSON.stringify(invoice),
          })),
          finishReason: { unified: 'tool-calls', raw: undefined },
          usage,
          warnings: [],
        }
      }
      const summary = results
        .map(({ output }, index) => `${invoices[index]?.payee}: ${String(output.status)}`)
        .join('; ')
      return {
        content: [{ type: 'text', text: `Payments handled. ${summary}.` }],
        finishReason: { unified: 'stop', raw: undefined },
        usage,
        warnings: [],
      }
    },
  })
}

type CallOptions = Parameters<MockLanguageModelV4['doGenerate']>[0]

function toolResults(options: CallOptions): Array<{ output: Record<string, unknown> }> {
  return options.prompt
    .filter((message) => message.role === 'tool')
    .flatMap((message) => message.content)
    .flatMap((part) =>
      part.type === 'tool-result' && 'value' in part.output
        ? [{ output: part.output.value as Record<string, unknown> }]
        : [],
    )
}
