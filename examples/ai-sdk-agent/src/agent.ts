import { createAgentTools, type ToolOutcome } from '@x/agent-tools'
import { aiSdkTools } from '@x/agent-tools/ai'
import { generateText, isStepCount, type LanguageModel } from 'ai'
import { startLocalServices } from './local-services.js'

export interface AgentRun {
  text: string
  /** What each ralio_pay call returned, in call order. */
  outcomes: ToolOutcome[]
  /** The payment intents Ralio holds afterwards: what actually reached the payment agent. */
  paidAmounts: string[]
}

/**
 * An accounts-payable agent: the model decides which tools to call; Relynt decides whether
 * each payment may happen. A payment above the threshold waits for a finance lead (here,
 * the sandbox's admin API approves it shortly after the tool starts waiting).
 */
export async function runAgent(model: LanguageModel, log: (line: string) => void): Promise<AgentRun> {
  const services = await startLocalServices()
  try {
    const tools = aiSdkTools(createAgentTools({ ralio: services.ralio, relynt: services.relynt }), {
      onProgress(progress) {
        log(`  ${progress.toolName} (${progress.toolCallId}): ${progress.message}`)
        if (progress.attempt === 0) setTimeout(() => void services.approve(progress.approvalId), 300)
      },
    })
    const result = await generateText({
      model,
      tools,
      system:
        'You are an accounts-payable agent. Pay each invoice with ralio_pay. Report what was paid, ' +
        'what was refused and why, with receipt ids.',
      prompt:
        'Pay these invoices: 120.00 GBP to Acme Stationery for office supplies; 4800.00 GBP to ' +
        'Northwind Logistics for the April freight invoice; 950.00 GBP to Globex Holdings for the consulting retainer.',
      stopWhen: isStepCount(5),
    })
    const outcomes = result.steps
      .flatMap((step) => step.toolResults)
      .filter((toolResult) => toolResult.toolName === 'ralio_pay')
      .map((toolResult) => toolResult.output as ToolOutcome)
    for (const outcome of outcomes) {
      log(`ralio_pay → ${outcome.status}${'receiptId' in outcome ? ` (receipt ${outcome.receiptId})` : ''}`)
    }
    log(result.text)
    return {
      text: result.text,
      outcomes,
      paidAmounts: services.ralioSandbox.stats().paymentIntents.map((intent) => intent.amount),
    }
  } finally {
    await services.close()
  }
}
