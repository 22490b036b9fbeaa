import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PaymentIntent, RalioClient, register, type Transaction } from '@x/ralio'
import { startRalioSandbox } from '@x/sandbox'

export interface QuickstartOptions {
  /** Where the walkthrough prints; default the console. */
  log?: (line: string) => void
  /** Text deltas of the streamed reply, as they arrive; default stdout. */
  write?: (text: string) => void
}

export interface QuickstartResult {
  clientId: string
  agentName: string
  balanceReply: string
  paymentReply: string
  paymentIntents: PaymentIntent[]
  transactions: Transaction[]
}

/**
 * The Ralio client in four steps: register this host, chat with the agent, stream a
 * payment, list what it did. Runs against a local sandbox so it needs no account; with
 * a real one, pass `baseUrl` and a ticket from the console to `register()` instead.
 */
export async function main(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const log = options.log ?? console.log
  const write = options.write ?? ((text: string) => process.stdout.write(text))

  // A local Ralio: the owner's side (minting a ticket) is a method call here.
  const sandbox = await startRalioSandbox()
  // Keys and tokens go to a throwaway directory; by default they live in ~/.ralio.
  const configDir = await mkdtemp(join(tmpdir(), 'ralio-quickstart-'))
  try {
    // 1. Register: a key pair is made here, only its public half is sent.
    const binding = await register({ ticket: sandbox.mintTicket().ticket, baseUrl: sandbox.url, configDir })
    log(`Registered binding ${binding.clientId} with scopes ${binding.scopes.join(', ')}`)

    // The client reads what register() stored; tokens and DPoP proofs are handled for you.
    const client = new RalioClient({ baseUrl: sandbox.url, configDir })
    try {
      const [agent] = await client.agents.list()
      log(`Talking to agent ${agent?.name} (${agent?.agentNumber})`)

      // 2. Chat: one message, the whole reply.
      const balance = await client.chat.send({ message: 'What is my balance?' })
      log(`Agent: ${balance.reply}`)

      // 3. Stream: the agent's tool calls and words as they happen. Payments are made by
      //    asking the agent; the SDK never re-sends a chat message, so it never pays twice.
      log('You: Pay £25 to Alice for lunch')
      const stream = client.chat.stream({
        message: 'Pay £25 to Alice for lunch',
        conversationId: balance.conversationId,
      })
      let paymentReply = ''
      write('Agent: ')
      for await (const event of stream) {
        if (event.event === 'tool_started') log(`  [tool] ${event.data.toolName} started`)
        if (event.event === 'tool_completed') log(`  [tool] ${event.data.toolName} done`)
        if (event.event === 'text_delta') write(event.text ?? '')
        if (event.event === 'reply') paymentReply = event.text ?? ''
      }
      write('\n')

      // 4. List: `for await` walks every page; a page is also an array-like of its rows.
      const paymentIntents: PaymentIntent[] = []
      for await (const intent of client.paymentIntents.list({ perPage: 50 })) paymentIntents.push(intent)
      const page = await client.transactions.list({ perPage: 10 })
      log(`${page.total} transaction(s):`)
      for (const transaction of page) {
        log(
          `  ${transaction.amount} ${transaction.currency} to ${transaction.creditor} (${transaction.status})`,
        )
      }

      return {
        clientId: binding.clientId,
        agentName: agent?.name ?? '',
        balanceReply: balance.reply,
        paymentReply,
        paymentIntents,
        transactions: [...page],
      }
    } finally {
      client.close()
    }
  } finally {
    await rm(configDir, { recursive: true, force: true })
    await sandbox.close()
  }
}
