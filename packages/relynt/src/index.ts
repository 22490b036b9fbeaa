// Public API of @x/relynt.

export type {
  APIPromise,
  CursorPage,
  Logger,
  LogLevel,
  Page,
  PagePromise,
  TracerProvider,
  WithResponse,
} from '@x/core'
export { ErrorCode, UserAbortError } from '@x/core'
export {
  ActionDeniedError,
  type ActionDeniedInit,
  ApprovalTimeoutError,
  AuthenticationError,
  ConnectorFailedError,
  type ConnectorFailedInit,
  NetworkError,
  RelyntError,
  RelyntResponseValidationError,
  RelyntTimeoutError,
  RequestError,
} from './errors.js'
export type { Authorization, GuardRequest, GuardResult } from './guard.js'
export {
  type ActionVerdict,
  type AllowedVerdict,
  type DecisionInput,
  type DeniedVerdict,
  denialMessage,
  type FailedVerdict,
  interpretDecision,
  type PendingVerdict,
} from './interpret-decision.js'
export { RelyntClient, type RelyntClientOptions } from './relynt-client.js'
export { computeRequestHash } from './request-hash.js'
export type { ActionRequest } from './resources/actions.js'
export type { Approvals, PollApprovalOptions, RequestSignalOptions } from './resources/approvals.js'
export type { ReceiptListFilters, Receipts, SentRequest } from './resources/receipts.js'
export type { SimulateRequest } from './resources/simulator.js'
export type { ActionInput } from './resources/validate-request.js'
export type { ActionResult } from './schemas/action-result.js'
export type { Approval } from './schemas/approval.js'
export type { Receipt, ReceiptSummary } from './schemas/receipt.js'
export type { MatchedRule, Simulation } from './schemas/simulation.js'
export type { ApprovalStatus, Decision, ReceiptDecision, RiskLevel } from './schemas/wire-values.js'
export { VERSION } from './version.js'
