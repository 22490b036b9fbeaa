import { RelyntClient } from '@x/relynt'
import type { CommandContext } from '../cli/command-spec.js'

/**
 * A client configured by the shared flags. A flag left out stays undefined, so the SDK
 * reads its environment variable: flags win. The secret comes only from the environment.
 */
export function relyntClient(values: CommandContext['values']): RelyntClient {
  return new RelyntClient({
    baseUrl: values['base-url'] as string | undefined,
    agentId: values['agent-id'] as string | undefined,
    // One client per command, so a per-command instance id is a constructor option.
    instanceId: values['instance-id'] as string | undefined,
  })
}
