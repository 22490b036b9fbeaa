import { visibleText } from '@x/core/internal/terminal'
import { type Agent, FileCredentialStore, RalioClient, type StoredTokens } from '@x/ralio'
import { CommandFailure } from '../cli/command-failure.js'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { ralioOptions } from './ralio-options.js'

export async function run({ values, signal, output }: CommandContext): Promise<number> {
  const { baseUrl, configDir } = ralioOptions(values)
  const store = new FileCredentialStore({ configDir })
  let agent: Agent | undefined
  let checkError: unknown
  if (values.offline !== true) {
    const spinner = output.spinner('Checking the binding…')
    try {
      await using client = new RalioClient({ baseUrl, credentialStore: store })
      agent = (await client.agents.list({ signal }))[0]
    } catch (error) {
      // Still show what the folder holds; the failure is reported after it.
      if (signal.aborted) throw error
      checkError = error
    } finally {
      spinner.stop()
    }
  }
  // Read after the check: a token it minted is the one to report.
  const credentials = await store.load()
  if (credentials.clientId === undefined) {
    if (checkError !== undefined) throw checkError
    throw new CommandFailure(
      `No Ralio credentials in ${store.configDir}. Register this host first: x-ralio register --ticket ralio-reg-…`,
      ExitCode.error,
    )
  }
  const token = tokenState(credentials.tokens)
  const scopes = (credentials.tokens?.scope ?? '').split(' ').filter(Boolean)
  const checked = values.offline !== true
  if (output.json) {
    output.writeJson({
      configDir: store.configDir,
      clientId: credentials.clientId,
      jkt: credentials.kid,
      scopes,
      token,
      agent: agent ?? null,
      checked,
      accepted: checked ? checkError === undefined : null,
    })
  } else {
    const { color } = output
    output.line(`${color.bold('Binding')}      ${visibleText(credentials.clientId ?? '(none)')}`)
    if (agent !== undefined)
      output.line(
        `${color.bold('Agent')}        ${visibleText(`${agent.name ?? '(unnamed)'} (${agent.id})`)}`,
      )
    output.line(
      `${color.bold('Scopes')}       ${visibleText(scopes.join(', ')) || '(unknown until a token is minted)'}`,
    )
    output.line(`${color.bold('Key')}          ${credentials.kid} (RFC 7638 thumbprint)`)
    output.line(`${color.bold('Access token')} ${describeToken(token, color)}`)
    output.line(`${color.bold('Folder')}       ${store.configDir}`)
    if (checked && checkError === undefined) output.line(color.green('✔ The API accepts this binding.'))
  }
  if (checkError !== undefined) throw checkError
  return ExitCode.ok
}

interface TokenState {
  present: boolean
  expiresAt: string | null
  valid: boolean
}

/** Only when the stored access token expires, never the token. */
function tokenState(tokens: StoredTokens | undefined): TokenState {
  if (tokens?.accessToken === undefined) return { present: false, expiresAt: null, valid: false }
  if (tokens.obtainedAt === undefined || tokens.expiresIn === undefined) {
    return { present: true, expiresAt: null, valid: false }
  }
  const expiresAtMs = (tokens.obtainedAt + tokens.expiresIn) * 1000
  return { present: true, expiresAt: new Date(expiresAtMs).toISOString(), valid: expiresAtMs > Date.now() }
}

function describeToken(token: TokenState, color: CommandContext['output']['color']): string {
  if (!token.present) return color.dim('none stored (one is minted on the next call)')
  if (token.expiresAt === null) return color.yellow('stored, expiry unknown')
  const minutes = Math.round(Math.abs(Date.parse(token.expiresAt) - Date.now()) / 60_000)
  return token.valid
    ? `${color.green('valid')} for ${minutes} min (until ${token.expiresAt})`
    : `${color.yellow('expired')} ${minutes} min ago (a new one is minted on the next call)`
}
