import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { register } from '@x/ralio'
import type { RalioSandbox, RalioSandboxOptions, RelyntSandbox } from '@x/sandbox'
import { AgentToolsError } from '../errors.js'
import { sandboxPolicy, sandboxPolicyVersion } from './sandbox-policy.js'

export interface Sandboxes {
  ralio: RalioSandbox
  relynt: RelyntSandbox
  /** The settings an SDK reads, pointing at the sandboxes (a binding in a temporary directory). */
  env: {
    RALIO_API_URL: string
    RALIO_CONFIG_DIR: string
    RELYNT_API_BASE_URL: string
    RELYNT_AGENT_ID: string
    RELYNT_AGENT_SECRET: string
  }
  close(): Promise<void>
}

/**
 * Both sandboxes in this process: a Ralio binding registered into a temporary directory, a
 * Relynt agent, and `sandboxPolicy`. Everything goes away on `close()`.
 */
export async function startSandboxes(options: { ralio?: RalioSandboxOptions } = {}): Promise<Sandboxes> {
  let sandbox: typeof import('@x/sandbox')
  try {
    sandbox = await import('@x/sandbox')
  } catch {
    throw new AgentToolsError(
      '--sandbox needs the @x/sandbox package: install it next to @x/agent-tools (npm install @x/sandbox).',
      { code: 'missing_sandbox' },
    )
  }
  const closers: Array<() => Promise<void>> = []
  const close = async () => {
    await Promise.allSettled(closers.reverse().map((closeOne) => closeOne()))
  }
  try {
    // Above the policy's approval threshold: what the gateway authorised is paid without a second ask.
    const ralio = await sandbox.startRalioSandbox({ spendLimit: '100000.00', ...options.ralio })
    closers.push(() => ralio.close())
    // Given the Ralio sandbox, the approvals console shows its payments too.
    const relynt = await sandbox.startRelyntSandbox({ ralio })
    closers.push(() => relynt.close())
    relynt.setPolicy(sandboxPolicy, sandboxPolicyVersion)
    const agent = relynt.createAgent({ name: 'x-mcp' })
    const configDir = await mkdtemp(join(tmpdir(), 'x-mcp-'))
    closers.push(() => rm(configDir, { recursive: true, force: true }))
    await register({
      ticket: ralio.mintTicket().ticket,
      baseUrl: ralio.url,
      configDir,
      clientMetadata: { application: 'x-mcp' },
    })
    return {
      ralio,
      relynt,
      env: {
        RALIO_API_URL: ralio.url,
        RALIO_CONFIG_DIR: configDir,
        RELYNT_API_BASE_URL: relynt.url,
        RELYNT_AGENT_ID: agent.agentId,
        RELYNT_AGENT_SECRET: agent.secret,
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
