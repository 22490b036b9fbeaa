import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { RelyntApiError } from './relynt-api-error.js'

export interface RelyntAgent {
  agentId: string
  name: string
  organizationId: string
  createdAt: string
}

interface StoredAgent extends RelyntAgent {
  /** SHA-256 of the current secret: equal-length digests make the comparison constant-time. */
  secretDigest: Buffer
}

const digest = (value: string) => createHash('sha256').update(value).digest()
// Compared against when the agent is unknown, so a miss costs the same as a wrong secret.
const decoyDigest = digest(randomBytes(32).toString('hex'))

/**
 * Agents and their single live secret. Secrets are only ever returned at creation or
 * rotation, as the one string the dashboard shows: `<agent_id>:<secret>`, exactly what
 * goes after `Bearer ` (so `new RelyntClient({ baseUrl, agentSecret })` is all it takes).
 */
export class AgentRegistry {
  readonly #agents = new Map<string, StoredAgent>()
  readonly #now: () => string

  constructor(now: () => string) {
    this.#now = now
  }

  create(options: { name?: string; organizationId: string }): { agentId: string; secret: string } {
    const agentId = `agt_${randomBytes(8).toString('hex')}`
    const secret = newSecret()
    this.#agents.set(agentId, {
      agentId,
      name: options.name ?? agentId,
      organizationId: options.organizationId,
      createdAt: this.#now(),
      secretDigest: digest(secret),
    })
    return { agentId, secret: `${agentId}:${secret}` }
  }

  /** Issues a new secret; the previous one stops working immediately. */
  rotate(agentId: string): { secret: string } {
    const agent = this.#agents.get(agentId)
    if (agent === undefined) throw new RelyntApiError(404, 'not_found', `No agent ${agentId}`)
    const secret = newSecret()
    agent.secretDigest = digest(secret)
    return { secret: `${agentId}:${secret}` }
  }

  list(): RelyntAgent[] {
    return [...this.#agents.values()].map(({ secretDigest: _secret, ...agent }) => agent)
  }

  /**
   * Resolves `Authorization: Bearer <agent_id>:<secret>`. Every failure is the same
   * 401 so a caller cannot tell an unknown agent from a wrong secret; messages never
   * echo the credential.
   */
  authenticate(authorization: string | undefined): RelyntAgent {
    const match = /^Bearer +([^\s:]+):(\S+)$/i.exec(authorization?.trim() ?? '')
    if (match === null) {
      throw new RelyntApiError(
        401,
        'unauthorized',
        authorization === undefined
          ? 'Missing Authorization header; send "Authorization: Bearer <agent_id>:<secret>"'
          : 'Malformed Authorization header; expected "Bearer <agent_id>:<secret>"',
      )
    }
    const agent = this.#agents.get(match[1]!)
    const presented = digest(match[2]!)
    const matches = timingSafeEqual(presented, agent?.secretDigest ?? decoyDigest)
    if (agent === undefined || !matches) {
      throw new RelyntApiError(401, 'unauthorized', 'Invalid agent credential; it may have been rotated')
    }
    const { secretDigest: _secret, ...publicAgent } = agent
    return publicAgent
  }
}

function newSecret(): string {
  return `rls_${randomBytes(24).toString('base64url')}`
}
