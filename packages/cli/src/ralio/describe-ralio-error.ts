import { RalioError } from '@x/ralio'

/**
 * The SDK's messages speak to programmers (`pass overwrite: true`); for the errors a
 * command-line user fixes with a flag, say the flag. Everything else is the SDK's message.
 */
const rephrase: Record<string, (message: string) => string> = {
  missing_ticket: () =>
    'No registration ticket: pass --ticket ralio-reg-… or set RALIO_REGISTRATION_TICKET (the owner mints one in the console, Settings → Credentials; it is single use and lives 15 minutes).',
  credentials_exist: (message) => message.replace(/pass overwrite: true/, 'add --overwrite'),
  credentials_missing: (message) =>
    `${message.replace(/\s*Register this host first.*$/, '')} Register this host first: x-ralio register --ticket ralio-reg-… (or point --config-dir at the folder that holds them).`,
  insecure_base_url: (message) => message.replace(/, or pass allowInsecureHttp: true.*$/, '.'),
  invalid_argument: (message) => message.replace(/^perPage\b/, '--per-page').replace(/^page\b/, '--page'),
}

export function describe(error: unknown): string | undefined {
  if (!RalioError.isInstance(error)) return undefined
  return rephrase[error.code]?.(error.message)
}
