import { RelyntResponseValidationError } from './errors.js'

/**
 * The error a 2xx answer without the documented shape gets, for what a schema alone cannot
 * see (a status no version knows, a page that promises more without saying where): the
 * same class and `code: 'invalid_response'` the transport throws.
 */
export function invalidResponse(
  message: string,
  path: readonly PropertyKey[] = [],
): RelyntResponseValidationError {
  return new RelyntResponseValidationError(message, [{ path, message }])
}
