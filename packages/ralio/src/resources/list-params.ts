import { ErrorCode, type RequestCallOptions } from '@x/core'
import { RalioConfigError } from '../errors.js'

/** Paging options of the list methods. */
export interface ListParams extends RequestCallOptions {
  /** 1-based page to start from. Default 1. */
  page?: number
  /** Items per page, 1 or more (the server may cap it). Default 50. */
  perPage?: number
  agentId?: string
}

export function checkListParams(params: ListParams): { page: number; perPage: number } {
  const page = params.page ?? 1
  const perPage = params.perPage ?? 50
  if (!Number.isInteger(page) || page < 1) {
    throw new RalioConfigError(`page must be a positive integer (got ${page})`, {
      code: ErrorCode.invalidArgument,
      param: 'page',
    })
  }
  if (!Number.isInteger(perPage) || perPage < 1) {
    throw new RalioConfigError(`perPage must be a positive integer (got ${perPage})`, {
      code: ErrorCode.invalidArgument,
      param: 'perPage',
    })
  }
  return { page, perPage }
}
