import { ErrorCode, type SdkError } from '@x/core'

/**
 * How a program words the errors a user fixes on the command line: for each SDK `param`,
 * what the user typed instead (a flag, a variable, an argument) and, for a bad argument,
 * the sentence that says what it must be. Built from the errors' structured `code` and
 * `param`, never from their messages, so no SDK option name reaches the terminal.
 */
export interface CliWording {
  /** SDK param → how the user gives it: `--api-url (or RALIO_API_URL)`. */
  given: Readonly<Record<string, string>>
  /** SDK param → what a bad value must be, as a whole sentence. */
  mustBe: Readonly<Record<string, string>>
}

/** The CLI's own sentence for an SDK error it can word better, else `undefined` (the SDK's message stands). */
export function describeSdkError(error: SdkError, wording: CliWording): string | undefined {
  const given = error.param === undefined ? undefined : wording.given[error.param]
  switch (error.code) {
    case ErrorCode.insecureUrl:
      return `${given ?? 'The URL'} uses plain HTTP to another machine, which would send credentials unencrypted. Use an https:// URL (plain HTTP is allowed only to this machine: localhost, 127.0.0.1, ::1).`
    case ErrorCode.invalidUrl:
      return `${given ?? 'The URL'} must be an absolute https:// URL without user name, password, query or fragment, e.g. https://api.example.com.`
    case ErrorCode.invalidArgument:
      return error.param === undefined ? undefined : wording.mustBe[error.param]
    default:
      return undefined
  }
}
