import type { z } from 'zod'
import { RalioHttpError } from './ralio-http-error.js'

export interface ValidationIssue {
  type: string
  loc: (string | number)[]
  msg: string
  input?: unknown
}

/**
 * A 422 shaped like FastAPI's request validation errors (`{"detail": [{type, loc, msg}]}`),
 * which is what the real service sends for a malformed body or query.
 */
export function validationError(issues: ValidationIssue[]): RalioHttpError {
  return new RalioHttpError(422, { detail: issues })
}

export function validationErrorFromZod(location: 'body' | 'query', error: z.ZodError): RalioHttpError {
  return validationError(
    error.issues.map((issue) => ({
      type: issue.code === 'invalid_type' && issue.input === undefined ? 'missing' : issue.code,
      loc: [location, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))],
      msg: issue.code === 'invalid_type' && issue.input === undefined ? 'Field required' : issue.message,
    })),
  )
}
