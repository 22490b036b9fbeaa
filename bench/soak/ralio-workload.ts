import { setTimeout as sleep } from 'node:timers/promises'
import { RalioClient, RalioError } from '@x/ralio'
import type { ChatOutcome, SoakConfig } from './soak-config.ts'

export interface RalioWorkload {
  clients: RalioClient[]
  /** Runs `count` payment chats (references numbered from `first`) over every client. */
  run(first: number, count: number): Promise<ChatOutcome[]>
  listCalls: number
  listFailures: { error: string; typed: boolean }[]
  close(): void
}

/**
 * Cluster mode: every client uses the same binding (client id and key) but keeps its own
 * tokens and refresh-token family, as separate processes of one service would. Each chat
 * asks for one payment with a unique reference; odd ones stream, even ones don't.
 */
export function ralioWorkload(config: SoakConfig['ralio'], runId: string): RalioWorkload {
  const clients = Array.from(
    { length: config.clients },
    () =>
      new RalioClient({
        baseUrl: config.baseUrl,
        clientId: config.clientId,
        privateKeyPath: config.privateKeyPath,
      }),
  )
  const workload: RalioWorkload = {
    clients,
    listCalls: 0,
    listFailures: [],
    async run(first, count) {
      const outcomes: ChatOutcome[] = []
      let next = first
      const end = first + count
      await Promise.all(
        clients.map(async (client) => {
          while (next < end) {
            const index = next++
            outcomes.push(await chat(client, index))
            // Reads go through the GET retry policy, under the same faults.
            if (index % 4 === 0) await list(client)
            if (next < end) await sleep(Math.random() * 2 * config.paceMs)
          }
        }),
      )
      return outcomes
    },
    close() {
      for (const client of clients) client.close()
    },
  }

  async function chat(client: RalioClient, index: number): Promise<ChatOutcome> {
    const reference = `soak-${runId}-${index}`
    const message = `Pay £1.00 to Soak Payee for ${reference}`
    const mode = index % 2 === 1 ? 'stream' : 'send'
    try {
      if (mode === 'send') {
        await client.chat.send({ message })
      } else {
        const { reply } = await client.chat.stream({ message }).finalReply()
        if (!reply) throw new Error('the stream ended without a reply text')
      }
      return { reference, mode, ok: true }
    } catch (error) {
      return { reference, mode, ok: false, ...describe(error) }
    }
  }

  async function list(client: RalioClient) {
    workload.listCalls++
    try {
      await client.transactions.list({ perPage: 5 })
    } catch (error) {
      const { error: name, typed } = describe(error)
      workload.listFailures.push({ error: name, typed })
    }
  }

  return workload
}

function describe(error: unknown): { error: string; code?: string; typed: boolean } {
  const typed = RalioError.isInstance(error)
  const name = error instanceof Error ? error.name : typeof error
  const code = (error as { code?: unknown } | undefined)?.code
  return { error: name, ...(typeof code === 'string' ? { code } : {}), typed }
}
