import { createHash, randomUUID } from 'node:crypto'
import canonicalize from 'canonicalize'
import {
  type RelyntSandbox,
  type RelyntSandboxOptions,
  startRelyntSandbox,
} from '../src/relynt/start-relynt-sandbox.js'

export interface RelyntFixture {
  sandbox: RelyntSandbox
  agentId: string
  secret: string
  authorization: string
}

export async function startFixture(options: RelyntSandboxOptions = {}): Promise<RelyntFixture> {
  const sandbox = await startRelyntSandbox({ port: 0, ...options })
  const { agentId, secret } = sandbox.createAgent({ name: 'test-agent' })
  return { sandbox, agentId, secret, authorization: `Bearer ${secret}` }
}

export interface CallOptions {
  authorization?: string | null
  idempotencyKey?: string | null
  rawBody?: string
  contentType?: string
}

/** POST /v1/agent-tool-call with raw fetch. */
export function toolCall(
  fixture: RelyntFixture,
  body: unknown,
  options: CallOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' }
  const authorization = options.authorization === undefined ? fixture.authorization : options.authorization
  if (authorization !== null) headers.authorization = authorization
  const key = options.idempotencyKey === undefined ? randomUUID() : options.idempotencyKey
  if (key !== null) headers['idempotency-key'] = key
  return fetch(`${fixture.sandbox.url}/v1/agent-tool-call`, {
    method: 'POST',
    headers,
    body: options.rawBody ?? JSON.stringify(body),
  })
}

export async function toolCallJson(fixture: RelyntFixture, body: unknown, options: CallOptions = {}) {
  const response = await toolCall(fixture, body, options)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** The agent credential for the API, the admin token for `/__admin`. */
const defaultAuthorization = (fixture: RelyntFixture, path: string) =>
  path.startsWith('/__admin') ? `Bearer ${fixture.sandbox.adminToken}` : fixture.authorization

export async function getJson(
  fixture: RelyntFixture,
  path: string,
  authorization = defaultAuthorization(fixture, path),
) {
  const response = await fetch(`${fixture.sandbox.url}${path}`, { headers: { authorization } })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

export async function postJson(
  fixture: RelyntFixture,
  path: string,
  body: unknown,
  authorization = path.startsWith('/__admin') ? defaultAuthorization(fixture, path) : undefined,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  const response = await fetch(`${fixture.sandbox.url}${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> }
}

/** Polls an approval until it is no longer pending; bounded in attempts, not in time. */
export async function waitForDecision(fixture: RelyntFixture, approvalId: string) {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { body } = await getJson(fixture, `/v1/approvals/${approvalId}`)
    if (body.status !== 'pending') return body
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`approval ${approvalId} stayed pending`)
}

/** What a client computes independently: sha256 over the RFC 8785 form of what it sent. */
export function expectedRequestHash(body: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalize(body)!).digest('hex')}`
}

export const dealUpdate = (payload: Record<string, unknown>, resource = 'crm:deal:123') => ({
  instance_id: 'run-abc-123',
  action: 'update_deal',
  resource,
  payload,
})

/** `Authorization: Bearer <adminToken>`, what `/__admin` requires over HTTP. */
export const adminHeaders = (sandbox: { adminToken: string }): Record<string, string> => ({
  authorization: `Bearer ${sandbox.adminToken}`,
})
