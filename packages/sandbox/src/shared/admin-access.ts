import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'

/** A fresh admin token: 32 random bytes, base64url. */
export function createAdminToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Throws a TypeError unless `token` can serve as an admin token (16 to 256 visible ASCII characters). */
export function checkAdminToken(token: unknown): string {
  if (typeof token !== 'string' || !/^[\x21-\x7e]{16,256}$/.test(token)) {
    throw new TypeError(
      'adminToken must be 16 to 256 visible ASCII characters; leave it out for a random one',
    )
  }
  return token
}

/** Literal loopback names only: a name a web page controls could be rebound to 127.0.0.1. */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname)
}

export type Refusal = { status: 401 | 403; code: string; message: string }

/**
 * Guards the admin routes against a web page on the developer's machine: the request must be
 * addressed to a loopback host (no DNS rebinding), must not come from a cross-site page
 * (no CSRF), and must carry `Authorization: Bearer <adminToken>`.
 */
export function adminAccess(
  adminToken: string,
  refuse: (c: Context, refusal: Refusal) => Response,
): MiddlewareHandler {
  const expected = digest(adminToken)
  return async (c, next) => {
    const foreign = foreignRequestRefusal(c, 'The admin API')
    if (foreign !== undefined) return refuse(c, foreign)
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="sandbox-admin"')
      return refuse(c, {
        status: 401,
        code: 'unauthorized',
        message:
          'The admin API needs the admin token: send Authorization: Bearer <token> (x-sandbox prints it at start-up as SANDBOX_ADMIN_TOKEN; in-process it is sandbox.adminToken)',
      })
    }
    await next()
  }
}

/**
 * Why a request must be refused before any credential is looked at, or undefined: it is
 * addressed to a host that is not a literal loopback name (DNS rebinding), or it comes
 * from a web page of another origin (CSRF). `surface` names what refuses, e.g. "The admin API".
 */
export function foreignRequestRefusal(c: Context, surface: string): Refusal | undefined {
  const hostname = new URL(c.req.url).hostname
  if (!isLoopbackHostname(hostname)) {
    return {
      status: 403,
      code: 'forbidden_host',
      message: `${surface} answers only requests addressed to 127.0.0.1, localhost or [::1], not "${hostname.slice(0, 100)}"`,
    }
  }
  if (isCrossSite(c)) {
    return {
      status: 403,
      code: 'forbidden_origin',
      message: `${surface} refuses requests from web pages of other origins`,
    }
  }
  return undefined
}

function isCrossSite(c: Context): boolean {
  if (c.req.header('sec-fetch-site') === 'cross-site') return true
  const origin = c.req.header('origin')
  if (origin === undefined) return false
  // 'null' (a sandboxed frame, a file: page) and anything unparsable count as foreign.
  if (!URL.canParse(origin)) return true
  return !isLoopbackHostname(new URL(origin).hostname)
}

// Compared as digests so the comparison takes the same time whatever the lengths.
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}
