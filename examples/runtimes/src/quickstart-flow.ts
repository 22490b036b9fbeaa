import { type CredentialStore, RalioClient, register } from '@x/ralio'
import { RelyntClient } from '@x/relynt'

/** How the flow reaches Ralio: register with a ticket first, or use a binding it is given. */
export type RalioAccess =
  | { mode: 'register'; baseUrl: string; ticket: string; configDir: string }
  | { mode: 'binding'; baseUrl: string; credentialStore: CredentialStore }

export interface FlowInput {
  ralio: RalioAccess
  relynt: { baseUrl: string; agentId: string; agentSecret: string }
  /** Names this run's payment and action, so the servers' records can be matched to it. */
  reference: string
}

/** What a run saw, as plain JSON so a child process or a Worker can send it back. */
export interface FlowResult {
  /** `navigator.userAgent` of the runtime the flow ran on, e.g. `Bun/1.4.5`. */
  runtime: string
  clientId: string | undefined
  /** Whether `register()` stored the binding in a file (`keyPath` set) during this run. */
  registeredToFile: boolean
  streamedText: string
  streamEvents: string[]
  reply: string
  paymentIntentReferences: (string | null)[]
  transactionCount: number
  decision: string
  receiptId: string
  receiptVerifies: boolean
  requestHashMatches: boolean
}

/**
 * The Ralio and Relynt quick starts in one pass, written once for every runtime: register
 * (or use a given binding), stream a payment in chat, list what it made, ask the gateway
 * before an action and verify the signed receipt.
 */
export async function runQuickstarts(input: FlowInput): Promise<FlowResult> {
  let clientId: string | undefined
  let registeredToFile = false
  let ralio: RalioClient
  if (input.ralio.mode === 'register') {
    const { baseUrl, ticket, configDir } = input.ralio
    const registration = await register({ ticket, baseUrl, configDir })
    clientId = registration.clientId
    registeredToFile = registration.keyPath !== undefined
    ralio = new RalioClient({ baseUrl, configDir })
  } else {
    ralio = new RalioClient({ baseUrl: input.ralio.baseUrl, credentialStore: input.ralio.credentialStore })
    clientId = (await input.ralio.credentialStore.load())?.clientId
  }
  const relynt = new RelyntClient({ ...input.relynt, logger: 'off' })

  try {
    const streamEvents: string[] = []
    let streamedText = ''
    let reply = ''
    for await (const event of ralio.chat.stream({ message: `Pay £25 to Alice for ${input.reference}` })) {
      streamEvents.push(event.event)
      if (event.event === 'text_delta') streamedText += event.text
      if (event.event === 'reply') reply = event.text
    }

    const paymentIntentReferences: (string | null)[] = []
    for await (const intent of ralio.paymentIntents.list({ perPage: 50 })) {
      for (const instruction of intent.instructions)
        paymentIntentReferences.push(instruction.reference ?? null)
    }
    const transactions = await ralio.transactions.list({ perPage: 50 })

    const request = {
      action: 'pay_supplier',
      resource: 'payment:supplier:northwind',
      payload: { amount: 250, currency: 'GBP', payee: 'Northwind', reference: input.reference },
    }
    const result = await relynt.requestAction(request)
    const receipt = await relynt.receipts.get(result.receiptId)

    return {
      runtime: globalThis.navigator?.userAgent ?? 'unknown',
      clientId,
      registeredToFile,
      streamedText,
      streamEvents,
      reply,
      paymentIntentReferences,
      transactionCount: transactions.total,
      decision: result.decision,
      receiptId: result.receiptId,
      receiptVerifies: await relynt.receipts.verify(result.receiptId),
      requestHashMatches: await relynt.receipts.verifyRequestHash(receipt, request),
    }
  } finally {
    ralio.close()
    relynt.close()
  }
}
