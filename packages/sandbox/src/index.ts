export type { SandboxAgentInput as RalioSandboxAgentInput } from './ralio/agent-directory.js'
export type { NonceModeOptions as RalioNonceModeOptions } from './ralio/nonce-manager.js'
export type { RalioSandbox, RalioSandboxAgent } from './ralio/ralio-sandbox.js'
export type { RalioPaymentIntentSummary, RalioSandboxStats } from './ralio/ralio-sandbox-stats.js'
export type { ChatRecord as RalioChatRecord } from './ralio/ralio-state.js'
export { type RalioSandboxOptions, startRalioSandbox } from './ralio/start-ralio-sandbox.js'
export type { MintedTicket, MintTicketOptions } from './ralio/ticket-store.js'
export type { ApprovalStatus, ApprovalView } from './relynt/approval-store.js'
export type { ConsoleRalioSource } from './relynt/approvals-console.js'
export { defaultPolicy as defaultRelyntPolicy } from './relynt/default-policy.js'
export type { Policy, PolicyConditions, PolicyRule, RiskLevel } from './relynt/policy-rule.js'
export type { ReceiptDecision, RelyntReceipt } from './relynt/receipt-ledger.js'
export type { AutoDecision } from './relynt/relynt-gateway.js'
export {
  type ApprovalDecisionOptions,
  type PendingApprovalEvent,
  type RelyntSandbox,
  type RelyntSandboxOptions,
  type RelyntSandboxStats,
  startRelyntSandbox,
} from './relynt/start-relynt-sandbox.js'
export type { ConnectorCall, ConnectorOption } from './relynt/tool-connector.js'
export type { FaultLogEntry, FaultRule } from './shared/fault-injector.js'
export type { SandboxRequestLogEntry } from './shared/request-log.js'
export type { ServeOptions } from './shared/serve.js'
