import { userInfo } from 'node:os'
import { parseCommandLine, visibleText } from '@x/core/internal/terminal'
import { CliCommandError, CliUsageError } from './cli-usage-error.js'
import { readRunningSandboxFile, runningSandboxFilePath } from './running-sandbox-file.js'

export const adminCommandUsage = `Commands for a running x-sandbox (found through SANDBOX_ADMIN_TOKEN with
RELYNT_API_BASE_URL / RALIO_API_URL when set, else through the file x-sandbox writes at start):
  x-sandbox approve <approval-id> [--as <name>] [--reason <text>]
  x-sandbox deny <approval-id> [--as <name>] [--reason <text>]
  x-sandbox ticket           Mints a Ralio registration ticket
  x-sandbox console          Prints a new login link for the approvals console
`

const commands = new Set(['approve', 'deny', 'ticket', 'console'])

/** True when `argv` names one of the subcommands that talk to a running sandbox. */
export function isAdminCommand(argv: readonly string[]): boolean {
  return argv[0] !== undefined && commands.has(argv[0])
}

export interface AdminCommandIo {
  write: (text: string) => void
  env?: NodeJS.ProcessEnv
  fetch?: typeof globalThis.fetch
}

/** Runs `x-sandbox approve|deny|ticket|console` against the running sandbox. */
export async function runAdminCommand(argv: readonly string[], io: AdminCommandIo): Promise<void> {
  const [command, ...rest] = argv
  const env = io.env ?? process.env
  const admin = new AdminClient(await locateSandbox(env), io.fetch ?? globalThis.fetch)
  if (command === 'approve' || command === 'deny') {
    const { approvalId, approver, reason } = parseDecision(command, rest)
    const approval = await admin.relynt(`/approvals/${encodeURIComponent(approvalId)}/${command}`, {
      approver,
      ...(reason === undefined ? {} : { reason }),
    })
    const receipt = typeof approval.receipt_id === 'string' ? `; receipt ${approval.receipt_id}` : ''
    const failure = approval.error as { message?: unknown } | undefined
    io.write(
      `${command === 'approve' ? 'approved' : 'denied'} ${approvalId} as ${visibleText(approver)}${receipt}\n`,
    )
    if (failure !== undefined) {
      io.write(`  but the connector failed: ${visibleText(String(failure.message))}\n`)
    }
    return
  }
  noOptions(command!, rest)
  if (command === 'ticket') {
    const minted = await admin.ralio('/tickets', {})
    io.write(`RALIO_REGISTRATION_TICKET=${String(minted.ticket)}\n`)
    io.write(`# single use, expires ${String(minted.expires_at)}\n`)
    return
  }
  const login = await admin.relynt('/console-login', {})
  io.write(`approve in your browser: ${String(login.url)}\n`)
}

function parseDecision(command: string, argv: readonly string[]) {
  let parsed: ReturnType<typeof parseDecisionArgs>
  try {
    parsed = parseDecisionArgs(argv)
  } catch (error) {
    throw new CliUsageError(`${command}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const [approvalId, ...extra] = parsed.positionals
  if (approvalId === undefined || extra.length > 0) {
    throw new CliUsageError(`${command} takes one approval id, e.g. x-sandbox ${command} apr_0123…`)
  }
  const approver = parsed.values.as ?? defaultApprover()
  return { approvalId, approver, reason: parsed.values.reason }
}

function parseDecisionArgs(argv: readonly string[]) {
  return parseCommandLine(
    [...argv],
    { as: { type: 'string' }, reason: { type: 'string' } },
    { allowPositionals: true },
  ) as {
    values: { as?: string; reason?: string }
    positionals: string[]
  }
}

function noOptions(command: string, argv: readonly string[]): void {
  if (argv.length > 0)
    throw new CliUsageError(`${command} takes no arguments, got "${visibleText(argv[0]!)}"`)
}

function defaultApprover(): string {
  try {
    return userInfo().username || 'sandbox:cli'
  } catch {
    return 'sandbox:cli'
  }
}

interface SandboxAddress {
  relyntUrl: string | undefined
  ralioUrl: string | undefined
  adminToken: string
  /** Where the address came from, for error messages. */
  source: string
}

async function locateSandbox(env: NodeJS.ProcessEnv): Promise<SandboxAddress> {
  if (env.SANDBOX_ADMIN_TOKEN) {
    return {
      relyntUrl: env.RELYNT_API_BASE_URL,
      ralioUrl: env.RALIO_API_URL,
      adminToken: env.SANDBOX_ADMIN_TOKEN,
      source: 'the SANDBOX_ADMIN_TOKEN, RELYNT_API_BASE_URL and RALIO_API_URL variables',
    }
  }
  const path = runningSandboxFilePath(env)
  const running = await readRunningSandboxFile(path)
  if (running === undefined) {
    throw new CliCommandError(
      `no running x-sandbox found: start one with \`x-sandbox\` (it records itself in ${path}), or set SANDBOX_ADMIN_TOKEN and RELYNT_API_BASE_URL / RALIO_API_URL as it printed them`,
    )
  }
  return { ...running, source: path }
}

class AdminClient {
  readonly #address: SandboxAddress
  readonly #fetch: typeof globalThis.fetch

  constructor(address: SandboxAddress, fetch: typeof globalThis.fetch) {
    this.#address = address
    this.#fetch = fetch
  }

  relynt(path: string, body: object) {
    return this.#post(this.#address.relyntUrl, 'RELYNT_API_BASE_URL', path, body)
  }

  ralio(path: string, body: object) {
    return this.#post(this.#address.ralioUrl, 'RALIO_API_URL', path, body)
  }

  async #post(
    base: string | undefined,
    variable: string,
    path: string,
    body: object,
  ): Promise<Record<string, unknown>> {
    if (base === undefined || !URL.canParse(base)) {
      throw new CliCommandError(
        `${variable} is not set to the sandbox's URL (read from ${this.#address.source})`,
      )
    }
    let response: Response
    try {
      response = await this.#fetch(new URL(`/__admin${path}`, base), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#address.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      })
    } catch {
      throw new CliCommandError(
        `no sandbox answers at ${base}: is x-sandbox still running? (address read from ${this.#address.source})`,
      )
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>
    if (!response.ok) {
      const error = answer.error as { message?: unknown } | undefined
      const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`
      if (response.status === 401) {
        throw new CliCommandError(
          `the sandbox at ${base} refused the admin token from ${this.#address.source}: it belongs to another x-sandbox run`,
        )
      }
      throw new CliCommandError(visibleText(message))
    }
    return answer
  }
}
