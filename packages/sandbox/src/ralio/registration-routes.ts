import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { PublicJwkError, parsePublicJwk } from './public-jwk.js'
import { registrationError } from './ralio-http-error.js'
import type { RalioState } from './ralio-state.js'
import { isGrantableScope } from './scopes.js'

/**
 * `POST /api/credential-bindings/registrations` (spec §1). The request is validated in
 * full before the ticket is looked at, and the ticket is consumed only by a request
 * that succeeds: a client that fixes its request can retry with the same ticket.
 */
export function registrationRoutes(state: RalioState): Hono {
  const app = new Hono()

  app.post('/api/credential-bindings/registrations', async (c) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      throw registrationError(422, 'invalid_request', 'the body must be a JSON object')
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw registrationError(422, 'invalid_request', 'the body must be a JSON object')
    }
    const {
      ticket,
      public_key_jwk: publicKeyJwk,
      requested_scopes: requestedScopes,
    } = body as Record<string, unknown>
    const clientMetadata = (body as Record<string, unknown>).client_metadata

    if (typeof ticket !== 'string' || ticket.length === 0) {
      throw registrationError(422, 'invalid_request', '"ticket" is required and must be a string')
    }
    if (
      clientMetadata !== undefined &&
      (typeof clientMetadata !== 'object' || Array.isArray(clientMetadata))
    ) {
      throw registrationError(422, 'invalid_request', '"client_metadata" must be an object when present')
    }
    if (publicKeyJwk === undefined) {
      throw registrationError(422, 'invalid_public_key', '"public_key_jwk" is required')
    }
    const key = await parsePublicJwk(publicKeyJwk).catch((error: unknown) => {
      const reason = error instanceof PublicJwkError ? error.message : 'the key could not be read'
      throw registrationError(422, 'invalid_public_key', reason)
    })
    const scopes = parseRequestedScopes(requestedScopes)

    const record = state.tickets.get(ticket)
    if (!record) {
      throw registrationError(
        404,
        'invalid_ticket',
        'this registration ticket does not exist; ask the owner for a new one',
      )
    }
    if (record.consumed) {
      throw registrationError(
        409,
        'ticket_already_consumed',
        'this registration ticket has already been used; ask the owner for a new one',
        { usedAt: record.consumed.at, usedByHost: record.consumed.byHost },
      )
    }
    if (state.tickets.isExpired(record)) {
      throw registrationError(
        410,
        'ticket_expired',
        'this registration ticket has expired; ask the owner for a new one',
      )
    }
    const granted = scopes ?? record.scopeCeiling
    const beyond = granted.filter((scope) => !record.scopeCeiling.includes(scope))
    if (beyond.length > 0) {
      throw registrationError(
        422,
        'scope_exceeds_ticket_ceiling',
        `requested scopes exceed the ticket's ceiling (${record.scopeCeiling.join(' ')}): ${beyond.join(' ')}`,
      )
    }
    if (state.bindings.findByThumbprint(key.thumbprint)) {
      throw registrationError(
        409,
        'public_key_already_in_use',
        'this public key is already bound to another credential; generate a new key',
      )
    }

    const host = describeHost(
      clientMetadata as Record<string, unknown> | undefined,
      c.req.header('user-agent'),
    )
    state.tickets.consume(record, host)

    if (state.settings.registrationMode === 'pending-approval') {
      // Emulates an old server that still waited for the owner to approve the binding.
      return c.json({ poll_token: `ralio-poll-${randomBytes(16).toString('base64url')}` }, 202)
    }

    const binding = state.bindings.create({
      agentId: record.agentId,
      key,
      scopes: granted,
      createdAt: state.clock.nowIso(),
      host,
    })
    state.stats.registrations += 1
    if (state.settings.fingerprintMode === 'omitted') return c.json({ client_id: binding.clientId }, 201)
    const fingerprint =
      state.settings.fingerprintMode === 'wrong' ? randomBytes(32).toString('base64url') : key.thumbprint
    return c.json({ client_id: binding.clientId, fingerprint }, 201)
  })

  return app
}

function parseRequestedScopes(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string')) {
    throw registrationError(422, 'invalid_scope', '"requested_scopes" must be an array of scope strings')
  }
  const scopes = [...new Set(value as string[])]
  if (scopes.includes('agents:config')) {
    throw registrationError(
      422,
      'invalid_scope',
      '"agents:config" is reserved for people and cannot be granted to a credential',
    )
  }
  const unknown = scopes.filter((scope) => !isGrantableScope(scope))
  if (unknown.length > 0)
    throw registrationError(422, 'invalid_scope', `unknown scopes: ${unknown.join(' ')}`)
  // An empty list means "nothing specific requested": the ticket's ceiling applies.
  return scopes.length > 0 ? scopes : undefined
}

function describeHost(metadata: Record<string, unknown> | undefined, userAgent: string | undefined): string {
  for (const field of ['hostname', 'host']) {
    const value = metadata?.[field]
    if (typeof value === 'string' && value.trim().length > 0) return value.trim().slice(0, 200)
  }
  return userAgent?.slice(0, 200) || 'unknown host'
}
