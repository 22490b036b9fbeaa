import { FileCredentialStore, register } from '@x/ralio'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { list } from '../cli/parse-values.js'
import { ralioOptions } from './ralio-options.js'

export async function run(context: CommandContext): Promise<number> {
  const { values, signal, output } = context
  const { baseUrl, configDir } = ralioOptions(values)
  // The store the SDK would make on its own; made here so the folder can be reported.
  const store = new FileCredentialStore({ configDir })
  context.interruptNote =
    'If the server received the request, the ticket may be spent and the binding active; check with: x-ralio status'
  const spinner = output.spinner('Registering this host…')
  let registration: Awaited<ReturnType<typeof register>>
  try {
    registration = await register({
      ticket: values.ticket as string | undefined,
      baseUrl,
      credentialStore: store,
      requestedScopes: list(values.scopes as string[] | undefined),
      overwrite: values.overwrite === true,
      signal,
    })
  } finally {
    spinner.stop()
  }
  if (output.json) {
    output.writeJson({ ...registration, configDir: store.configDir })
    return ExitCode.ok
  }
  const { color } = output
  output.line(`${color.green('✔')} Registered binding ${color.bold(registration.clientId)}`)
  output.line(`  scopes       ${registration.scopes.join(', ') || '(none)'}`)
  output.line(`  key          ${registration.jkt}${registration.keyPath ? ` (${registration.keyPath})` : ''}`)
  output.line(`  credentials  ${store.credentialsPath}`)
  output.line(color.dim('Check it with: x-ralio status'))
  return ExitCode.ok
}
