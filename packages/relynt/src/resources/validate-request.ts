import { ErrorCode } from '@x/core'
import { pathSegment } from '@x/core/internal'
import { RelyntError } from '../errors.js'

/** The fields every gateway-shaped request shares (`requestAction`, `simulate`, `guard`). */
export interface ActionInput {
  /** What the agent wants to do, e.g. `update_deal`. */
  action: string
  /** What it acts on, e.g. `crm:deal:123`. */
  resource: string
  /** The change itself; policies read its top-level fields (`amount`, `stage`, …). */
  payload?: Record<string, unknown>
  /**
   * The agent run this call belongs to, sent as `instance_id`. Default: the client's
   * `instanceId`. Pass the one an earlier result carried to resend that call after a restart.
   */
  instanceId?: string
}

/** The JSON body of `POST /v1/agent-tool-call` and `POST /v1/policy-simulator`. */
export interface ActionBody {
  instance_id: string
  action: string
  resource: string
  payload?: Record<string, unknown>
}

/**
 * Checks the input before anything is sent, so a mistake fails here with a clear message,
 * not as a 400. `clientInstanceId` is used when the input names no `instanceId`.
 */
export function actionBody(input: ActionInput, clientInstanceId: string, method: string): ActionBody {
  if (typeof input !== 'object' || input === null) {
    throw invalid(`${method} needs an object: { action, resource, payload? }.`)
  }
  const instanceId = input.instanceId ?? clientInstanceId
  if (typeof instanceId !== 'string' || instanceId.trim() === '') {
    throw invalid(
      `${method}: instanceId must be a non-empty string (one id per agent run) when given.`,
      'instanceId',
    )
  }
  if (typeof input.action !== 'string' || input.action.trim() === '') {
    throw invalid(`${method} needs an action (a non-empty string such as 'update_deal').`, 'action')
  }
  if (typeof input.resource !== 'string' || input.resource.trim() === '') {
    throw invalid(`${method} needs a resource (a non-empty string such as 'crm:deal:123').`, 'resource')
  }
  const payload = input.payload
  if (payload !== undefined && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
    throw invalid(`${method}: payload must be a plain object when given.`, 'payload')
  }
  const body: ActionBody = { instance_id: instanceId, action: input.action, resource: input.resource }
  if (payload !== undefined) body.payload = payload
  return body
}

/** A bad argument (`invalid_argument`), naming it in `param` when it is one option. */
export function invalid(message: string, param?: string): RelyntError {
  return new RelyntError(message, { code: ErrorCode.invalidArgument, ...(param !== undefined && { param }) })
}

/** Checks and encodes an id that goes into a URL path (see core's `pathSegment`). */
export function idSegment(value: unknown, param: string, method: string, what: string): string {
  return pathSegment(value, {
    param,
    method,
    what,
    error: (message, details) => new RelyntError(message, details),
  })
}
