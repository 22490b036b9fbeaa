import { CommandLineError, closestMatch, parseCommandLine, visibleText } from '@x/core/internal/terminal'
import { VERSION } from '../version.js'
import { CommandFailure } from './command-failure.js'
import {
  type CommandContext,
  type CommandSpec,
  commonOptions,
  type OptionSpecs,
  type ProgramSpec,
} from './command-spec.js'
import { ExitCode } from './exit-codes.js'
import { commandHelp, programHelp } from './help-text.js'
import { createOutput, type Output, type OutputStream } from './output.js'
import { UsageError } from './usage-error.js'

export interface ProgramIo {
  stdout: OutputStream
  stderr: OutputStream
  env: Record<string, string | undefined>
}

/**
 * Runs one invocation of `program` and resolves to its exit code. Help, versions and
 * usage errors are answered from the command specs alone; the SDK is imported only when
 * a command actually runs.
 */
export async function runProgram(program: ProgramSpec, argv: string[], io: ProgramIo): Promise<number> {
  const plain = createOutput({ json: false, stdout: io.stdout, stderr: io.stderr, env: io.env })
  const [first, second] = argv
  if (first === undefined) {
    io.stderr.write(programHelp(program, plain.errorColor))
    return ExitCode.usage
  }
  if (first === '-h' || first === '--help') {
    io.stdout.write(programHelp(program, plain.color))
    return ExitCode.ok
  }
  if (first === '--version') {
    io.stdout.write(await versionLine(program))
    return ExitCode.ok
  }
  if (first === 'help' && second !== undefined) return runProgram(program, [...argv.slice(1), '--help'], io)

  const found = findCommand(program, argv)
  if (found === undefined) return unknownCommand(program, argv, plain)
  const { command, rest } = found

  let parsed: { values: CommandContext['values']; positionals: string[] }
  try {
    parsed = readCommandLine(command, program, rest)
  } catch (error) {
    if (!(error instanceof CommandLineError || error instanceof UsageError)) throw error
    return reportUsage(program, command, error.message, plain)
  }
  if (parsed.values.help === true) {
    io.stdout.write(commandHelp(program, command, plain.color))
    return ExitCode.ok
  }
  if (parsed.values.version === true) {
    io.stdout.write(await versionLine(program))
    return ExitCode.ok
  }

  const output = createOutput({
    json: parsed.values.json === true,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
  })
  const controller = new AbortController()
  const context: CommandContext = {
    values: parsed.values,
    positionals: parsed.positionals,
    signal: controller.signal,
    output,
    interruptNote: undefined,
  }
  let interrupts = 0
  const onInterrupt = () => {
    interrupts += 1
    // A second Ctrl+C means "now", even if something does not honour the abort.
    if (interrupts > 1) process.exit(ExitCode.interrupted)
    controller.abort(new Error('Interrupted (Ctrl+C)'))
  }
  process.on('SIGINT', onInterrupt)
  try {
    const { run } = await command.load()
    const code = await run(context)
    return controller.signal.aborted ? reportInterrupt(program, context) : code
  } catch (error) {
    if (controller.signal.aborted) return reportInterrupt(program, context)
    if (error instanceof UsageError) return reportUsage(program, command, error.message, output)
    return reportFailure(program, error, output)
  } finally {
    process.off('SIGINT', onInterrupt)
  }
}

async function versionLine(program: ProgramSpec): Promise<string> {
  const versions = await program.versions()
  return `${program.name} ${VERSION} (${[...versions, `Node ${process.version}`].join(', ')})\n`
}

/** The longest command name the leading words of `argv` spell: `receipts list` before `receipts`. */
function findCommand(
  program: ProgramSpec,
  argv: string[],
): { command: CommandSpec; rest: string[] } | undefined {
  const candidates = program.commands
    .map((command) => ({ command, words: command.name.split(' ') }))
    .filter(({ words }) => words.every((word, index) => argv[index] === word))
    .sort((a, b) => b.words.length - a.words.length)
  const best = candidates[0]
  return best && { command: best.command, rest: argv.slice(best.words.length) }
}

function unknownCommand(program: ProgramSpec, argv: string[], output: Output): number {
  const [group, next] = argv
  const members = program.commands.filter((command) => command.name.startsWith(`${group} `))
  if (members.length > 0) {
    // `x-relynt receipts` or `x-relynt receipts --help`: list what the group holds.
    const asked = next === '--help' || next === '-h'
    const list = members.map((command) => `  ${program.name} ${command.name.padEnd(18)}${command.summary}`)
    const unknown =
      next === undefined
        ? 'which one?'
        : `unknown subcommand "${visibleText(next)}"${didYouMean(
            next,
            members.map((command) => command.name.split(' ')[1]!),
            (word) => `${group} ${word}`,
          )}`
    const text = `${asked ? '' : `${program.name} ${group}: ${unknown}\n\n`}Commands:\n${list.join('\n')}\n\nRun '${program.name} ${members[0]!.name} --help' for a command's options.\n`
    ;(asked ? output.stdout : output.stderr).write(text)
    return asked ? ExitCode.ok : ExitCode.usage
  }
  const words = [...new Set(program.commands.map((command) => command.name.split(' ')[0]!))]
  const what = group!.startsWith('-') ? 'option' : 'command'
  output.note(
    `${program.name}: unknown ${what} "${visibleText(group!)}"${didYouMean(group!, what === 'option' ? ['--help', '--version'] : words)}\nCommands: ${program.commands.map((command) => command.name).join(', ')}.\nRun '${program.name} --help' for usage.`,
  )
  return ExitCode.usage
}

/** `; did you mean "receipts"?` for `reciepts`, or nothing when no command is close. */
function didYouMean(typed: string, candidates: string[], spell = (word: string) => word): string {
  const match = closestMatch(typed, candidates)
  return match === undefined ? '' : `; did you mean "${spell(match)}"?`
}

function readCommandLine(command: CommandSpec, program: ProgramSpec, args: string[]) {
  const specs: OptionSpecs = {
    ...command.options,
    ...program.sharedOptions,
    ...commonOptions,
  }
  const { values, positionals } = parseCommandLine(
    args,
    Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => [
        name,
        {
          type: spec.type,
          ...(spec.short && { short: spec.short }),
          ...(spec.multiple && { multiple: true }),
        },
      ]),
    ),
    { allowPositionals: true },
  )
  if (values.help !== true && values.version !== true) {
    const missing = Object.entries(specs)
      .filter(([name, spec]) => spec.required && values[name] === undefined)
      .map(([name]) => `--${name}`)
    if (missing.length > 0) throw new UsageError(`missing ${missing.join(' and ')}`)
    const { min, max } = command.positionals ?? { min: 0, max: 0 }
    if (positionals.length < min) {
      throw new UsageError(`missing ${command.arguments ?? 'argument'}`)
    }
    if (positionals.length > max) {
      throw new UsageError(
        max === 0
          ? `unexpected argument "${positionals[0]}"`
          : `unexpected argument "${positionals[max]}": quote ${command.arguments ?? 'the argument'} if it has spaces`,
      )
    }
  }
  return { values, positionals }
}

function reportUsage(program: ProgramSpec, command: CommandSpec, message: string, output: Output): number {
  output.note(
    `${output.errorColor.red(`${program.name} ${command.name}:`)} ${oneParagraph(message)}\n` +
      `Run '${program.name} ${command.name} --help' for usage.`,
  )
  return ExitCode.usage
}

function reportInterrupt(program: ProgramSpec, context: CommandContext): number {
  const note = context.interruptNote ? ` ${context.interruptNote}` : ''
  context.output.note(`${context.output.errorColor.yellow(`${program.name}:`)} Interrupted.${note}`)
  return ExitCode.interrupted
}

/** SDK error codes that mean "fix the command line or the environment it reads". */
const usageCodes = new Set([
  'invalid_argument',
  'missing_base_url',
  'missing_credentials',
  'invalid_credentials',
  'missing_ticket',
  'invalid_url',
  'insecure_url',
])

async function reportFailure(program: ProgramSpec, error: unknown, output: Output): Promise<number> {
  if (error instanceof CommandFailure) {
    output.note(`${output.errorColor.red(`${program.name}:`)} ${oneParagraph(error.message)}`)
    return error.exitCode
  }
  const { SdkError } = await import('@x/core')
  const describe = program.loadDescribe ? (await program.loadDescribe()).describe : undefined
  const message = describe?.(error) ?? (error instanceof Error ? error.message : String(error))
  let facts = ''
  let exitCode: number = ExitCode.error
  if (SdkError.isInstance(error)) {
    const { statusCode, requestId } = error as { statusCode?: unknown; requestId?: unknown }
    facts = [
      `code ${error.code}`,
      typeof statusCode === 'number' ? `HTTP ${statusCode}` : undefined,
      typeof requestId === 'string' ? `request id ${requestId}` : undefined,
    ]
      .filter(Boolean)
      .join(', ')
    if (error.code === 'approval_timeout') exitCode = ExitCode.approvalTimeout
    else if (usageCodes.has(error.code)) exitCode = ExitCode.usage
  }
  output.note(
    `${output.errorColor.red(`${program.name}:`)} ${oneParagraph(message)}${facts ? output.errorColor.dim(` (${facts})`) : ''}`,
  )
  return exitCode
}

/**
 * Errors are one paragraph: line breaks inside a message become spaces. A message may quote
 * a server or an agent, so any control character left is shown, not acted on.
 */
function oneParagraph(text: string): string {
  return visibleText(text.replace(/\s*\n\s*/g, ' ').trim())
}
