import type { CommandSpec, OptionSpecs, ProgramSpec } from './command-spec.js'
import { commonOptions } from './command-spec.js'
import type { Colors } from './output.js'

/** `x-ralio --help`. */
export function programHelp(program: ProgramSpec, color: Colors): string {
  const examples = program.commands.flatMap((command) => command.examples.slice(0, 1))
  return [
    `${color.bold(program.name)} — ${program.summary}`,
    '',
    `${color.bold('Usage:')} ${program.name} <command> [options]`,
    '',
    color.bold('Commands:'),
    ...rows(program.commands.map((command) => [command.name, command.summary])),
    '',
    color.bold('Options:'),
    ...rows([
      ['-h, --help', `Show help; ${program.name} <command> --help for a command's options`],
      ['--version', 'Print the version of this command and of the SDK it uses'],
    ]),
    '',
    color.bold('Environment (flags win):'),
    ...rows(program.environment),
    '',
    color.bold('Exit codes:'),
    ...rows(program.exitCodes),
    '',
    color.bold('Examples:'),
    ...examples.map((example) => `  ${example}`),
    '',
  ].join('\n')
}

/** `x-ralio register --help`. */
export function commandHelp(program: ProgramSpec, command: CommandSpec, color: Colors): string {
  const usage = `${program.name} ${command.name}${command.arguments ? ` ${command.arguments}` : ''} [options]`
  return [
    `${color.bold('Usage:')} ${usage}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    '',
    color.bold('Options:'),
    ...rows(optionRows({ ...command.options, ...program.sharedOptions, ...commonOptions })),
    '',
    color.bold('Environment (flags win):'),
    ...rows(program.environment),
    '',
    color.bold('Examples:'),
    ...command.examples.map((example) => `  ${example}`),
    '',
  ].join('\n')
}

function optionRows(options: OptionSpecs): [string, string][] {
  return Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`
    return [flag, option.required ? `${option.help} (required)` : option.help]
  })
}

function rows(entries: [string, string][]): string[] {
  const width = Math.max(...entries.map(([left]) => left.length)) + 2
  return entries.map(([left, right]) => `  ${left.padEnd(width)}${right}`)
}
