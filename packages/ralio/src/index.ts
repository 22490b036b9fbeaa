export type { APIPromise, Page, PagePromise, TracerProvider, WithResponse } from '@x/core'
export { ErrorCode } from '@x/core'
export { FileCredentialStore, type FileCredentialStoreOptions } from '#file-store'
export type { KeyPair, PrivateKeyInput } from './auth/signing-key.js'
export type {
  CredentialStore,
  RalioCredentials,
  RegistrationLock,
  SaveCredentialsOptions,
  StoredCredentials,
  StoredTokens,
  WritableCredentialStore,
} from './credentials/credential-store.js'
export { MemoryCredentialStore } from './credentials/memory-credential-store.js'
export {
  RalioAPIError,
  RalioAuthError,
  RalioClockSkewError,
  RalioConfigError,
  RalioConnectionError,
  RalioError,
  RalioNotFoundError,
  RalioPermissionError,
  RalioRateLimitError,
  RalioRegistrationError,
  RalioResponseValidationError,
  RalioTimeoutError,
  RalioValidationError,
  type RegistrationErrorInit,
} from './errors.js'
export { RalioClient, type RalioClientOptions } from './ralio-client.js'
export { type RegisterOptions, type Registration, register } from './register.js'
export type { AgentListParams, Agents } from './resources/agents.js'
export type { Chat, ChatParams, ChatStreamParams } from './resources/chat.js'
export type {
  ChatStream,
  ChatStreamEvent,
  ChatStreamResult,
} from './resources/chat-stream.js'
export type { ListParams } from './resources/list-params.js'
export type { PaymentIntents } from './resources/payment-intents.js'
export type { Transactions } from './resources/transactions.js'
export type { Agent } from './schemas/agent.js'
export type { ChatMessage, ChatResponse, MessageRole } from './schemas/chat.js'
export type { ConversationEventData, TextEventData, ToolEventData } from './schemas/chat-stream-event.js'
export type {
  ApprovalStatus,
  ExecutionStatus,
  LegStatus,
  PaymentInstruction,
  PaymentIntent,
} from './schemas/payment-intent.js'
export type { Transaction, TransactionStatus } from './schemas/transaction.js'
export { VERSION } from './version.js'
