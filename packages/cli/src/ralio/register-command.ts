import { visibleText } from '@x/core/internal/terminal'
import { FileCredentialStore, register } from '@x/ralio'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { list, readStandardInput } from '../cli/parse-values.js'
import { UsageError } from '../cli/usage-error.js'
import { ralioOptions } from './ralio-options.js'

export async function run(context: CommandContext): Promise<number> {
  const { values, signal, output } = context
  const { baseUrl, configDir } = ralioOptions(values)
  const ticket = await readTicket(values.ticket as string | undefined, output)
  // The store the SDK would make on its own; made here so the folder can be reported.
  const store = new FileCredentialStore({ configDir })
  context.interruptNote =
    'If the server received the request, the ticket may be spent and the binding active; check with: x-ralio status'
  const spinner = output.spinner('Registering this host…')
  let registration: Awaited<ReturnType<typeof register>>
  try {
    registration = await register({
      ticket,
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
  output.line(`${color.green('✔')} Registered binding ${color.bold(visibleText(registration.clientId))}`)
  output.line(`  scopes       ${visibleText(registration.scopes.join(', ')) || '(none)'}`)
  output.line(`  key          ${registration.jkt}${registration.keyPath ? ` (${registration.keyPath})` : ''}`)
  output.line(`  credentials  ${store.credentialsPath}`)
  output.line(color.dim('Check it with: x-ralio status'))
  return ExitCode.ok
}

/**
 * `--ticket -` reads the ticket from standard input, so it never appears in the process list
 * or the shell history; a ticket typed on the command line works but is warned about.
 */
async function readTicket(
  value: string | undefined,
  output: CommandContext['output'],
): Promise<string | undefined> {
  if (value === undefined) return undefined
  if (value !== '-') {
    output.note(
      `${output.errorColor.yellow('x-ralio: warning:')} a ticket on the command line is visible to other users in the process list (ps) and stays in shell history; pipe it in with --ticket - or set RALIO_REGISTRATION_TICKET`,
    )
    return value
  }
  const ticket = (await readStandardInput()).trim()
  if (ticket === '')
    throw new UsageError(
      '--ticket - read nothing from standard input; pipe the ticket in: x-ralio register --ticket - < ticket.txt',
    )
  return ticket
}
