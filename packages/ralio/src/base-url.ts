import { type Logger, readEnv, secureUrl } from '@x/core/internal'
import { RalioConfigError } from './errors.js'

export const defaultBaseUrl = 'https://api.ralio.co'

/**
 * The API origin from the option, else `RALIO_API_URL`, else production, checked by core's
 * URL policy: tokens and payment instructions go over `https://`, or plain HTTP only to this
 * machine unless the caller opted in.
 */
export function resolveBaseUrl(option: string | undefined, allowInsecureHttp = false, logger?: Logger): URL {
  return secureUrl(option ?? readEnv('RALIO_API_URL') ?? defaultBaseUrl, {
    name: 'baseUrl',
    allowInsecureHttp,
    logger,
    protects: 'tokens and payment instructions',
    error: (message, details) => new RalioConfigError(message, details),
  })
}

/** An endpoint under the base URL, keeping any path prefix the base URL has. */
export function endpointUrl(baseUrl: URL, path: string): URL {
  return new URL(`${baseUrl.href.replace(/\/+$/, '')}${path}`)
}
