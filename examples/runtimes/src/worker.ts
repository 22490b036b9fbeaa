// A Cloudflare-style Worker running the quick starts. A Worker has no file system, so the
// binding comes in as a secret (`RALIO_CREDENTIALS`, made by `register()` elsewhere) and
// lives in a MemoryCredentialStore.
import { MemoryCredentialStore, type RalioCredentials } from '@x/ralio'
import { runQuickstarts } from './quickstart-flow.ts'

export interface Env {
  RALIO_API_URL: string
  RALIO_CREDENTIALS: RalioCredentials
  RELYNT_API_BASE_URL: string
  RELYNT_AGENT_ID: string
  RELYNT_AGENT_SECRET: string
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const reference = new URL(request.url).searchParams.get('reference') ?? 'WORKER'
    try {
      const result = await runQuickstarts({
        ralio: {
          mode: 'binding',
          baseUrl: env.RALIO_API_URL,
          credentialStore: new MemoryCredentialStore(env.RALIO_CREDENTIALS),
        },
        relynt: {
          baseUrl: env.RELYNT_API_BASE_URL,
          agentId: env.RELYNT_AGENT_ID,
          agentSecret: env.RELYNT_AGENT_SECRET,
        },
        reference,
      })
      return Response.json(result)
    } catch (error) {
      // The SDKs' errors carry no secret; name and message say what failed.
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      return Response.json({ error: message }, { status: 500 })
    }
  },
}
