import { Hono } from 'hono'
import { z } from 'zod'
import type { Conversation } from './conversation-store.js'
import { type RalioEnv, requireDpopAuth, requireScope } from './dpop-auth.js'
import { detailError } from './ralio-http-error.js'
import type { RalioState } from './ralio-state.js'
import { type AgentTurn, runAgentTurn } from './scripted-agent.js'
import { streamServerSentEvents } from './sse-writer.js'
import { validationError, validationErrorFromZod } from './validation-error.js'

const chatRequestSchema = z.looseObject({
  agent_id: z.string().min(1),
  message: z.string().trim().min(1, 'message must not be empty').max(20_000),
  conversation_id: z.string().min(1).nullish(),
})

/** Words per `text_delta`: small enough that every reply streams in several pieces. */
const wordsPerDelta = 2

/** `GET /api/agents`, `POST /api/chat` and `POST /api/chat/stream` (spec §4). */
export function chatRoutes(state: RalioState): Hono<RalioEnv> {
  const app = new Hono<RalioEnv>()
  const auth = requireDpopAuth(state)

  app.get('/api/agents', auth, (c) => {
    const agent = state.agents.get(c.get('auth').binding.agentId)
    if (!agent) return c.json([])
    return c.json([
      {
        id: agent.id,
        name: agent.name,
        agent_number: agent.agentNumber,
        banking_provider: agent.bankingProvider,
        created_at: agent.createdAt,
      },
    ])
  })

  const startTurn = async (body: unknown, auth: RalioEnv['Variables']['auth'], stream: boolean) => {
    const parsed = chatRequestSchema.safeParse(body)
    if (!parsed.success) throw validationErrorFromZod('body', parsed.error)
    const { agent_id: agentId, message, conversation_id: conversationId } = parsed.data
    const agent = agentId === auth.binding.agentId ? state.agents.get(agentId) : undefined
    if (!agent) throw detailError(403, 'Agent not found or access denied')
    let conversation: Conversation | undefined
    if (conversationId) {
      conversation = state.conversations.get(conversationId)
      if (
        !conversation ||
        conversation.agentId !== agent.id ||
        conversation.clientId !== auth.binding.clientId
      ) {
        throw detailError(404, 'Conversation not found')
      }
    } else {
      conversation = state.conversations.create(agent.id, auth.binding.clientId)
    }
    state.stats.chats.push({
      message,
      conversationId: conversation.id,
      agentId: agent.id,
      clientId: auth.binding.clientId,
      stream,
      receivedAt: state.clock.nowIso(),
    })
    const turn = runAgentTurn({
      agent,
      conversation,
      message,
      ledger: state.ledger,
      now: () => state.clock.nowIso(),
    })
    return { conversation, turn }
  }

  app.post('/api/chat', auth, requireScope('agents:execute'), async (c) => {
    const { conversation, turn } = await startTurn(await readJson(c.req.raw), c.get('auth'), false)
    if (turn.reply === undefined) throw detailError(500, agentFailure(turn))
    return c.json({ reply: turn.reply, conversation_id: conversation.id, new_messages: turn.newMessages })
  })

  app.post('/api/chat/stream', auth, requireScope('agents:execute'), async (c) => {
    const { conversation, turn } = await startTurn(await readJson(c.req.raw), c.get('auth'), true)
    const { streamDelayMs, keepAliveIntervalMs } = state.settings
    return streamServerSentEvents(
      c,
      async (sse) => {
        await sse.event('conversation', { conversation_id: conversation.id })
        for (const event of turn.events) {
          if (sse.closed) return
          await sse.pause(streamDelayMs)
          switch (event.type) {
            case 'reply': {
              for (const delta of splitIntoDeltas(event.text)) {
                await sse.event('text_delta', { text: delta })
                await sse.pause(streamDelayMs)
              }
              await sse.event('reply', { text: event.text })
              break
            }
            case 'error':
              await sse.event('error', { message: event.message })
              break
            default: {
              const { type, ...data } = event
              await sse.event(type, data)
            }
          }
        }
      },
      { keepAliveIntervalMs, errorEvent: () => ({ name: 'error', data: { message: 'internal error' } }) },
    )
  })

  return app
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text()
  try {
    return JSON.parse(text)
  } catch {
    throw validationError([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }])
  }
}

function agentFailure(turn: AgentTurn): string {
  const failure = turn.events.find((event) => event.type === 'error')
  return failure?.type === 'error' ? failure.message : 'the agent failed'
}

/** Splits text into word groups whose concatenation is exactly the text. */
function splitIntoDeltas(text: string): string[] {
  const words = text.match(/\s*\S+/g) ?? [text]
  const deltas: string[] = []
  for (let index = 0; index < words.length; index += wordsPerDelta) {
    deltas.push(words.slice(index, index + wordsPerDelta).join(''))
  }
  const trailing = text.length - deltas.join('').length
  if (trailing > 0 && deltas.length > 0) deltas[deltas.length - 1] += text.slice(text.length - trailing)
  return deltas
}
