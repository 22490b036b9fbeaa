import { type RalioSandbox, type RalioSandboxOptions, startRalioSandbox } from '@x/sandbox'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioClient, type RalioClientOptions } from '../src/ralio-client.js'
import { register } from '../src/register.js'

export type { RalioSandbox }

export function startSandbox(options?: RalioSandboxOptions): Promise<RalioSandbox> {
  return startRalioSandbox(options)
}

/** Registers a binding into a memory store and returns a client on it. */
export async function registeredClient(
  sandbox: RalioSandbox,
  options: RalioClientOptions & { requestedScopes?: string[]; ticketScopes?: string[] } = {},
): Promise<{ client: RalioClient; store: MemoryCredentialStore; clientId: string }> {
  const { requestedScopes, ticketScopes, ...clientOptions } = options
  const store = new MemoryCredentialStore()
  const ticket = sandbox.mintTicket(ticketScopes ? { scopeCeiling: ticketScopes } : {}).ticket
  const { clientId } = await register({
    ticket,
    baseUrl: sandbox.url,
    credentialStore: store,
    requestedScopes,
  })
  // Forget the token register() minted, so the client's own token traffic is what tests see.
  const credentials = (await store.load())!
  const fresh = new MemoryCredentialStore({ ...credentials, tokens: undefined, refreshToken: undefined })
  const client = new RalioClient({
    baseUrl: sandbox.url,
    credentialStore: fresh,
    maxRetries: 2,
    ...clientOptions,
  })
  return { client, store: fresh, clientId }
}
