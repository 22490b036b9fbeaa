import { randomUUID } from 'node:crypto'

export type MessageRole =
  | 'user'
  | 'assistant'
  | 'tool'
  | 'system'
  | 'alignment_approval'
  | 'spend_limit_approval'

export interface ChatMessage {
  id: string
  role: MessageRole
  content: string
  created_at: string
}

export interface Conversation {
  id: string
  agentId: string
  clientId: string
  messages: ChatMessage[]
}

/** Conversations in memory; one belongs to the credential that started it. */
export class ConversationStore {
  readonly #conversations = new Map<string, Conversation>()

  create(agentId: string, clientId: string): Conversation {
    const conversation = { id: randomUUID(), agentId, clientId, messages: [] }
    this.#conversations.set(conversation.id, conversation)
    return conversation
  }

  get(id: string): Conversation | undefined {
    return this.#conversations.get(id)
  }

  static message(role: MessageRole, content: string, createdAt: string): ChatMessage {
    return { id: randomUUID(), role, content, created_at: createdAt }
  }
}
