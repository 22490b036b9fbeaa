import { APIPromise, type RequestCallOptions } from '@x/core'
import { callOptions, type Telemetry, type Transport } from '@x/core/internal'
import { RalioConfigError } from '../errors.js'
import { type ChatResponse, chatResponseSchema } from '../schemas/chat.js'
import { ChatStream } from './chat-stream.js'

/** A message to the agent, for `chat.send()`. */
export interface ChatParams extends RequestCallOptions {
  message: string
  /** Continue this conversation; omit to start a new one. */
  conversationId?: string
  /** Default: the one agent the binding is pinned to (looked up once). */
  agentId?: string
}

/** A message to the agent, for `chat.stream()`. */
export interface ChatStreamParams extends ChatParams {
  /**
   * Close the stream when the server sends nothing (not even a keep-alive) for this long.
   * Default: no limit, as a chat may wait minutes on an owner's approval.
   */
  idleTimeoutMs?: number
  /** Close the stream once it has been open this long, whatever arrives. Default: no limit. */
  maxDurationMs?: number
}

export interface ChatOptions {
  transport: Transport
  agentId: (signal?: AbortSignal) => Promise<string>
  timeoutMs: number
  telemetry?: Telemetry | undefined
}

/**
 * Talking to the agent — the only way payments are made. Neither method is ever
 * re-sent after the server may have started the work: only a 429 or a refused
 * connection (nothing processed) is retried, so one message can never pay twice.
 */
export class Chat {
  readonly #options: ChatOptions

  constructor(options: ChatOptions) {
    this.#options = options
  }

  /**
   * Sends a message and waits for the agent's whole reply (up to ~120 s server-side).
   * `.withResponse()` adds the raw response and request id.
   */
  send(params: ChatParams): APIPromise<ChatResponse> {
    return new APIPromise(this.#send(params))
  }

  async #send(params: ChatParams) {
    const { transport, timeoutMs } = this.#options
    return transport.requestWithResponse({
      method: 'POST',
      path: '/api/chat',
      json: await this.#body(params),
      schema: chatResponseSchema,
      timeoutMs,
      ...callOptions(params),
    })
  }

  /** Sends a message and yields the agent's work as it happens: tools, text deltas, reply. */
  stream(params: ChatStreamParams): ChatStream {
    const { transport, timeoutMs, telemetry } = this.#options
    return new ChatStream(
      async (map) =>
        transport.stream({
          map,
          method: 'POST',
          path: '/api/chat/stream',
          json: await this.#body(params),
          timeoutMs,
          ...callOptions(params),
          terminalEvents: ['reply'],
          errorEvent: 'error',
          idleTimeoutMs: params.idleTimeoutMs ?? Number.POSITIVE_INFINITY,
          maxDurationMs: params.maxDurationMs,
        }),
      telemetry,
    )
  }

  async #body(params: ChatParams): Promise<Record<string, string | undefined>> {
    if (typeof params.message !== 'string' || params.message.trim() === '') {
      throw new RalioConfigError('chat needs a non-empty message', {
        code: 'invalid_argument',
        param: 'message',
      })
    }
    return {
      agent_id: params.agentId ?? (await this.#options.agentId(params.signal)),
      message: params.message,
      conversation_id: params.conversationId,
    }
  }
}
