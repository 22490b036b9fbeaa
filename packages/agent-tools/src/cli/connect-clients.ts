import { FileCredentialStore, RalioClient } from '@x/ralio'
import { RelyntClient, type RelyntClientOptions, RelyntError } from '@x/relynt'
import { AgentToolsError } from '../errors.js'

export type Environment = Record<string, string | undefined>

/**
 * The Ralio and Relynt clients, configured by the same environment variables as the SDKs.
 * Checked before the server starts, with no network call: a missing binding or credential
 * is a start-up error, not a failure on the model's first tool call.
 */
export async function connectClients(
  env: Environment,
): Promise<{ ralio: RalioClient; relynt: RelyntClient }> {
  const setting = (name: string) => {
    const value = env[name]?.trim()
    return value ? value : undefined
  }
  const relynt = relyntClient({
    baseUrl: setting('RELYNT_API_BASE_URL'),
    agentId: setting('RELYNT_AGENT_ID'),
    agentSecret: setting('RELYNT_AGENT_SECRET'),
    logger: 'error',
  })
  const configDir = setting('RALIO_CONFIG_DIR')
  const store = new FileCredentialStore({ configDir })
  const binding = await store.load()
  if (binding.clientId === undefined) {
    relynt.close()
    throw new AgentToolsError(
      `No Ralio binding in ${store.configDir}: register this host with a ticket first ` +
        '(register({ ticket }) from @x/ralio), or set RALIO_CONFIG_DIR to where it was registered.',
      { code: 'missing_binding' },
    )
  }
  const ralio = new RalioClient({
    baseUrl: setting('RALIO_API_URL'),
    credentialStore: store,
    logger: 'error',
  })
  return { ralio, relynt }
}

const relyntSetup: Record<string, string> = {
  missing_base_url:
    'No Relynt gateway: set RELYNT_API_BASE_URL (e.g. https://gateway.example.com), or try it locally with x-mcp --sandbox.',
  missing_credentials:
    'No Relynt agent credential: set RELYNT_AGENT_SECRET to the credential the dashboard shows, <agent_id>:<secret>.',
}

/** The Relynt client checks its URL (https, or loopback) and credential in its constructor; say it in the command's words. */
function relyntClient(options: RelyntClientOptions): RelyntClient {
  try {
    return new RelyntClient(options)
  } catch (error) {
    const message = RelyntError.isInstance(error) ? relyntSetup[error.code] : undefined
    if (message === undefined) throw error
    throw new AgentToolsError(message, { code: (error as RelyntError).code, cause: error })
  }
}
