import type { CommandContext } from '../cli/command-spec.js'

/**
 * The client options the shared flags set. A flag left out stays undefined, so the SDK
 * falls back to its environment variable and then its default: flags win, as documented.
 */
export function ralioOptions(values: CommandContext['values']): { baseUrl?: string; configDir?: string } {
  return {
    baseUrl: values['api-url'] as string | undefined,
    configDir: values['config-dir'] as string | undefined,
  }
}
