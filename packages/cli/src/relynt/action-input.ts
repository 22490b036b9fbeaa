import type { ActionInput } from '@x/relynt'
import type { CommandContext } from '../cli/command-spec.js'
import { jsonArgument } from '../cli/parse-values.js'

/** `--action`, `--resource` and `--payload` as the SDK takes them; the SDK checks their shape. */
export async function actionInput(values: CommandContext['values']): Promise<ActionInput> {
  const payload = await jsonArgument(values.payload as string | undefined, '--payload')
  return {
    action: values.action as string,
    resource: values.resource as string,
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  }
}
