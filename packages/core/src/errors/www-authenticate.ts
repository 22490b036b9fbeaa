import { isSecretName, redactText } from '../util/redact.js'

/** One `WWW-Authenticate` challenge (RFC 9110 §11.6.1): `DPoP error="use_dpop_nonce", algs="ES256"`. */
export interface AuthChallenge {
  /** As the server wrote it: `DPoP`, `Bearer`, `Basic`… */
  scheme: string
  /** Parameter names lower-cased, values unquoted and redacted. */
  params: Record<string, string>
}

// RFC 9110 token characters; an auth-param is `token BWS "=" BWS ( token / quoted-string )`.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/
const PARAM = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^\s,]*)[ \t]*(?:,|$)/
const TOKEN68 = /^[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*(?:,|$)/
// A server controls this header: parse a bounded prefix into a bounded result.
const MAX_HEADER = 8_192
const MAX_CHALLENGES = 8
const MAX_PARAMS = 32

/**
 * Every challenge in a `WWW-Authenticate` value, in order. Values pass through the
 * redactor (a hostile server may echo a token in `realm`); a `token68` is kept under
 * the `token68` key, redacted likewise. Unparseable input ends the list, never throws.
 */
export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  const challenges: AuthChallenge[] = []
  if (!header) return challenges
  let rest = header.slice(0, MAX_HEADER)
  let current: AuthChallenge | undefined
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '')
    if (rest === '') break
    const param = current === undefined ? null : PARAM.exec(rest)
    if (current !== undefined && param !== null) {
      const name = param[1]!.toLowerCase()
      if (Object.keys(current.params).length < MAX_PARAMS) current.params[name] = safeValue(name, param[2]!)
      rest = rest.slice(param[0].length)
      continue
    }
    const scheme = TOKEN.exec(rest)
    if (scheme === null || challenges.length >= MAX_CHALLENGES) break
    current = { scheme: scheme[0], params: {} }
    challenges.push(current)
    rest = rest.slice(scheme[0].length)
    const token68 = TOKEN68.exec(rest)
    if (token68 !== null && PARAM.exec(rest.trimStart()) === null) {
      current.params.token68 = redactText(token68[1]!)
      rest = rest.slice(token68[0].length)
    }
  }
  return challenges
}

/** The challenge that explains a refusal: the first carrying `error`, else the first. */
export function primaryChallenge(header: string | null | undefined): AuthChallenge | undefined {
  const challenges = parseWwwAuthenticate(header)
  return challenges.find((challenge) => challenge.params.error !== undefined) ?? challenges[0]
}

function safeValue(name: string, raw: string): string {
  const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw
  return isSecretName(name) ? '[redacted]' : redactText(value)
}
