import { RelyntError } from './errors.js'

/**
 * The agent secret is a bearer credential: anyone on the path of a plain-HTTP request
 * could replay it. Plain HTTP is only accepted to this machine (a local sandbox).
 */
export function assertSecureUrl(url: URL): void {
  if (url.protocol === 'https:') return
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return
  throw new RelyntError(
    url.protocol === 'http:'
      ? `Refusing to send the agent secret over plain HTTP to ${url.host}: use an https:// base URL (http:// is only allowed for localhost).`
      : `Unsupported protocol "${url.protocol}" in ${url.origin}: use an https:// base URL.`,
    { code: 'insecure_transport' },
  )
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
  )
}
