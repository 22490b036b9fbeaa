// Public API of @x/agent-tools. The framework adapters are the subpaths /ai, /openai-agents and /mcp.
export type {
  AgentTool,
  AllowedOutcome,
  DeniedOutcome,
  FailedOutcome,
  InvalidInputOutcome,
  JsonObjectSchema,
  ObservedOutcome,
  OkOutcome,
  PendingApprovalOutcome,
  ResultOutcome,
  ToolAnnotations,
  ToolCallOptions,
  ToolError,
  ToolOutcome,
  ToolProgress,
} from './agent-tool.js'
export { isErrorOutcome, isObservedOutcome } from './agent-tool.js'
export { approvalCheckTool } from './approval-check-tool.js'
export { type DefineToolOptions, defineTool, type ExecuteContext } from './define-tool.js'
export { AgentToolsError } from './errors.js'
export {
  CHECK_APPROVAL_TOOL_NAME,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  type GuardClient,
  type GuardedExecuteContext,
  type GuardedTool,
  type GuardedToolOptions,
  guardedTool,
  type ToolAuthorization,
} from './guarded-tool.js'
export { isObservedEffect, type ObservedEffect, observedEffect } from './observed-effect.js'
export type { ToolOutputSpec } from './outcome-schema.js'
export {
  type CanonicalPayee,
  canonicalPayee,
  canonicalText,
  InvalidTextError,
  MAX_TEXT_LENGTH,
  payeeProblem,
  textProblem,
} from './payee/canonical-payee.js'
export {
  linkedReference,
  MAX_REFERENCE_LENGTH,
  PAYMENT_INSTRUCTION_PREFIX,
  type PaymentInstructionFields,
  paymentInstruction,
  receiptIdIn,
  receiptLink,
} from './payee/payment-instruction.js'
export {
  DEFAULT_PENDING_CALL_TTL_MS,
  MemoryPendingCallStore,
  type PendingCall,
  type PendingCallStore,
  PendingCallStoreError,
} from './pending-call-store.js'
export type {
  AuthorisationRecord,
  AuthorisesPayment,
  PaymentRecord,
  ReconciledPayment,
  Reconciliation,
} from './reconcile/match-payments.js'
export { matchPayments } from './reconcile/match-payments.js'
export {
  type ReconcilePaymentsOptions,
  type ReconcileRalioClient,
  type ReconcileRelyntClient,
  reconcilePayments,
} from './reconcile/reconcile-payments.js'
export {
  createRedisPendingCallStore,
  type RedisPendingCallStoreOptions,
} from './redis-pending-call-store.js'
export {
  AGENT_TOOL_NAMES,
  type AgentToolName,
  type AgentToolsOptions,
  createAgentTools,
  DEFAULT_AGENT_TOOL_NAMES,
  READ_ONLY_AGENT_TOOL_NAMES,
} from './tools/create-agent-tools.js'
export {
  type AgentTurn,
  type AuthorisedPayment,
  type ObservePaymentOptions,
  observePayment,
  type PaymentEffectFields,
  type PaymentStatus,
} from './tools/payment-effect.js'
export {
  type ChatInput,
  type ChatResult,
  ralioChatTool,
  type UnguardedPaymentFields,
} from './tools/ralio-chat-tool.js'
export type { RalioToolsClient, RalioToolsOptions } from './tools/ralio-client-like.js'
export {
  type ListInput,
  type ListResult,
  ralioListPaymentIntentsTool,
  ralioListTransactionsTool,
} from './tools/ralio-list-tools.js'
export {
  authorisedPayment,
  type PaymentFields,
  RALIO_PAY_ACTION,
  ralioPayRequest,
} from './tools/ralio-pay-payload.js'
export { type PayInput, type PayResult, ralioPayTool } from './tools/ralio-pay-tool.js'
export {
  type RelyntToolsClient,
  relyntSimulateTool,
  relyntVerifyReceiptTool,
  type VerifiedReceipt,
} from './tools/relynt-tools.js'
export { VERSION } from './version.js'
