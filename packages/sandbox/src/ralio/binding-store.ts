import { randomBytes } from 'node:crypto'
import type { PublicJwk } from './public-jwk.js'

/** A credential binding: one host's key, pinned to one agent, with its granted scopes. */
export interface CredentialBinding {
  clientId: string
  agentId: string
  key: PublicJwk
  scopes: string[]
  createdAt: string
  host: string
}

export class BindingStore {
  readonly #byClientId = new Map<string, CredentialBinding>()
  readonly #byThumbprint = new Map<string, CredentialBinding>()

  create(input: Omit<CredentialBinding, 'clientId'>): CredentialBinding {
    const binding = { clientId: `cb_${randomBytes(12).toString('hex')}`, ...input }
    this.#byClientId.set(binding.clientId, binding)
    this.#byThumbprint.set(binding.key.thumbprint, binding)
    return binding
  }

  get(clientId: string): CredentialBinding | undefined {
    return this.#byClientId.get(clientId)
  }

  findByThumbprint(thumbprint: string): CredentialBinding | undefined {
    return this.#byThumbprint.get(thumbprint)
  }

  get size(): number {
    return this.#byClientId.size
  }
}
