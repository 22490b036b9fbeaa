import { ErrorCode } from '../errors/error-code.js'

/** What `pathSegment` hands its error factory. */
export interface ArgumentErrorDetails {
  code: typeof ErrorCode.invalidArgument
  param: string
  hint: string
}

/**
 * An id checked and encoded for one segment of a URL path (`/v1/receipts/{id}`). Refused
 * before any request: anything but a non-empty string, `.` and `..` (a server or proxy
 * would normalise them into another path), and any `/` or `\` (even encoded, some servers
 * decode `%2F` back into a separator). `what` describes the value for the message
 * ("a receipt id (the receiptId of a requestAction result)").
 */
export function pathSegment(
  value: unknown,
  options: {
    param: string
    method: string
    what: string
    error: (message: string, details: ArgumentErrorDetails) => Error
  },
): string {
  const fail = (problem: string, hint: string) =>
    options.error(`${options.method}: ${options.param} ${problem}; ${hint}`, {
      code: ErrorCode.invalidArgument,
      param: options.param,
      hint,
    })
  if (typeof value !== 'string' || value.trim() === '') {
    throw fail('is missing', `pass ${options.what}.`)
  }
  if (value === '.' || value === '..' || /[/\\]/.test(value)) {
    throw fail(
      'is not an id: it would change the path the request goes to',
      `pass ${options.what}, as the API returned it.`,
    )
  }
  return encodeURIComponent(value)
}
