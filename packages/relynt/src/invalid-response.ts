import type { ErrorMap } from '@x/core/internal'
import { type RelyntError, relyntErrors } from './errors.js'

type InvalidResponseClass = NonNullable<ErrorMap['invalidResponse']>

/**
 * The error a 2xx answer without the documented shape gets, for what a schema alone cannot
 * see (a status no version knows, a page that promises more without saying where): the
 * same class and `code: 'invalid_response'` the transport throws.
 */
export function invalidResponse(message: string, path: readonly PropertyKey[] = []): RelyntError {
  const InvalidResponse = relyntErrors.invalidResponse as InvalidResponseClass
  return new InvalidResponse(message, [{ path, message }]) as RelyntError
}
