import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createColors } from '../src/cli/colors.js'
import { colorEnabled } from '../src/cli/output.js'
import { ralioProgram } from '../src/ralio/program.js'
import { relyntProgram } from '../src/relynt/program.js'
import { VERSION } from '../src/version.js'
import { run } from './support/run-command.js'

const programs = [
  ['x-ralio', ralioProgram],
  ['x-relynt', relyntProgram],
] as const

describe.each(programs)('%s', (name, program) => {
  it('--help lists every command, the environment, the exit codes and examples', async () => {
    const result = await run(name, ['--help'])
    expect(result.code).toBe(0)
    for (const command of program.commands) expect(result.stdout).toContain(command.name)
    expect(result.stdout).toContain('Exit codes:')
    expect(result.stdout).toContain('Examples:')
    expect(result.stdout).toContain(program.environment[0]![0])
  })

  it.each(program.commands.map((command) => [command.name]))(
    '%s --help shows its usage and examples',
    async (command) => {
      const result = await run(name, [...command.split(' '), '--help'])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`Usage: ${name} ${command}`)
      expect(result.stdout).toMatch(/Examples:\n {2}\S/)
    },
  )

  it('--version prints its own version and the SDK’s, on every command too', async () => {
    const top = await run(name, ['--version'])
    expect(top.code).toBe(0)
    expect(top.stdout).toMatch(
      new RegExp(`^${name} ${VERSION.replaceAll('.', '\\.')} \\(@x/\\w+ \\d+\\.\\d+\\.\\d+`),
    )
    const command = await run(name, [...program.commands[0]!.name.split(' '), '--version'])
    expect(command.stdout).toBe(top.stdout)
  })

  it('exits 2 on an unknown command, listing the commands', async () => {
    const result = await run(name, ['frobnicate'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown command "frobnicate"')
  })

  it('exits 2 on an unknown flag, pointing to the command’s help', async () => {
    const command = program.commands[0]!.name
    const result = await run(name, [...command.split(' '), '--no-such-flag'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`Run '${name} ${command} --help' for usage.`)
  })

  it('exits 2 with the help on stderr when no command is given', async () => {
    const result = await run(name, [])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`Usage: ${name} <command>`)
  })

  it('prints no colour codes when stdout is not a terminal', async () => {
    const result = await run(name, ['--help'])
    expect(result.stdout).not.toContain('\x1b[')
  })
})

describe('mistakes on the command line', () => {
  it('suggests the option a typo was meant to be, in our words rather than the parser’s', async () => {
    const result = await run('x-relynt', ['request', '--acton', 'pay', '--resource', 'r'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      "x-relynt request: unknown option --acton; did you mean --action?\nRun 'x-relynt request --help' for usage.\n",
    )
  })

  it('suggests the command a typo was meant to be, swapped letters included', async () => {
    const result = await run('x-relynt', ['reciepts', 'list'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^x-relynt: unknown command "reciepts"; did you mean "receipts"\?\n/)
  })

  it('suggests the subcommand of a group', async () => {
    const result = await run('x-relynt', ['receipts', 'lsit'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown subcommand "lsit"; did you mean "receipts list"?')
  })

  it('suggests --version for a misspelt --version before any command', async () => {
    const result = await run('x-ralio', ['--verison'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown option "--verison"; did you mean "--version"?')
  })

  it('names a flag given without its value', async () => {
    const result = await run('x-relynt', ['request', '--action', '--resource', 'r'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--action needs a value, got the option --resource')
  })

  it('shows an unknown command’s control characters instead of printing them raw', async () => {
    const result = await run('x-ralio', ['\u001b[2Jstatus'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown command "\\e[2Jstatus"')
    expect(result.stderr).not.toContain('\u001b')
  })
})

describe('x-relynt command groups', () => {
  it('lists the subcommands of a group on --help', async () => {
    const result = await run('x-relynt', ['receipts', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('x-relynt receipts verify')
  })

  it('exits 2 when a group is given without a subcommand', async () => {
    const result = await run('x-relynt', ['approval'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('x-relynt approval wait')
  })
})

describe('colour', () => {
  const terminal = { write: () => true, isTTY: true }
  it('is on for a terminal', () => {
    expect(colorEnabled(terminal, {})).toBe(true)
  })
  it('is off for a pipe or file', () => {
    expect(colorEnabled({ write: () => true }, {})).toBe(false)
  })
  it('is off whenever NO_COLOR is set to anything, even on a terminal', () => {
    expect(colorEnabled(terminal, { NO_COLOR: '1' })).toBe(false)
  })
  it('is off on a dumb terminal', () => {
    expect(colorEnabled(terminal, { TERM: 'dumb' })).toBe(false)
  })
  it('leaves text untouched when off', () => {
    expect(createColors(false).bold('x')).toBe('x')
  })
  it('keeps the outer style on after a nested one that ends with the same code', () => {
    const color = createColors(true)
    expect(color.dim(`a ${color.bold('b')} c`)).toBe('\x1b[2ma \x1b[1mb\x1b[22m\x1b[2m c\x1b[22m')
  })
})

it('reports the version in package.json', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  expect(VERSION).toBe(manifest.version)
})
