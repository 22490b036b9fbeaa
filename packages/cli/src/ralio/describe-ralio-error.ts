import { RalioError } from '@x/ralio'
import { type CliWording, describeSdkError } from '../cli/describe-sdk-error.js'

const wording: CliWording = {
  given: { baseUrl: '--api-url (or RALIO_API_URL)' },
  mustBe: {
    perPage: '--per-page must be a positive integer (items per page).',
    page: '--page must be a positive integer (1 is the first page).',
    message: 'The message is empty: give it as the argument, or - to read it from standard input.',
  },
}

/**
 * Says what to do in the command line's terms (flags, variables), from the error's `code`,
 * `param` and `summary`; everything else is the SDK's own message.
 */
export function describe(error: unknown): string | undefined {
  if (!RalioError.isInstance(error)) return undefined
  switch (error.code) {
    case 'missing_ticket':
      return 'No registration ticket: pass --ticket ralio-reg-… or set RALIO_REGISTRATION_TICKET (the owner mints one in the console, Settings → Credentials; it is single use and lives 15 minutes).'
    case 'credentials_exist':
      return `${error.summary}; add --overwrite to replace them (the old binding stays active until revoked in the console).`
    case 'credentials_missing':
      return `${error.summary}. Register this host first: x-ralio register --ticket ralio-reg-… (or point --config-dir at the folder that holds them).`
    default:
      return describeSdkError(error, wording)
  }
}
