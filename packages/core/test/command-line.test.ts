import { describe, expect, it } from 'vitest'
import {
  CommandLineError,
  closestMatch,
  jsonLine,
  parseCommandLine,
  visibleText,
} from '../src/internal/terminal.js'

const options = {
  action: { type: 'string' },
  resource: { type: 'string' },
  'per-page': { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

function mistake(args: string[], settings?: { allowPositionals?: boolean }): string {
  try {
    parseCommandLine(args, options, settings)
  } catch (error) {
    expect(error).toBeInstanceOf(CommandLineError)
    return (error as Error).message
  }
  throw new Error(`${args.join(' ')} was accepted`)
}

describe('parseCommandLine', () => {
  it('parses what parseArgs parses: long, short, inline values and positionals', () => {
    expect(
      parseCommandLine(['--action', 'pay', '-n', '5', '--json', 'x'], options, { allowPositionals: true }),
    ).toEqual({
      values: { action: 'pay', 'per-page': '5', json: true },
      positionals: ['x'],
    })
    expect(parseCommandLine(['--action', '-'], options).values).toEqual({ action: '-' })
    expect(parseCommandLine(['--action=-1', '--', '--json'], options, { allowPositionals: true })).toEqual({
      values: { action: '-1' },
      positionals: ['--json'],
    })
  })

  it('suggests the option a typo was meant to be, with no raw parser text', () => {
    const message = mistake(['--acton', 'pay'])
    expect(message).toBe('unknown option --acton; did you mean --action?')
    expect(mistake(['--resuorce=x'])).toBe('unknown option --resuorce; did you mean --resource?')
    expect(mistake(['--per'])).toBe('unknown option --per; did you mean --per-page?')
    expect(mistake(['-json'])).toBe('unknown option -json; did you mean --json?')
  })

  it('suggests nothing when no option is close', () => {
    expect(mistake(['--frobnicate'])).toBe('unknown option --frobnicate')
    expect(mistake(['-z'])).toBe('unknown option -z')
  })

  it('names a flag whose value is missing, or that was given one it does not take', () => {
    expect(mistake(['--action'])).toBe('--action needs a value')
    expect(mistake(['--action', '--json'])).toBe(
      '--action needs a value, got the option --json; to pass a value that starts with "-", write --action=--json',
    )
    expect(mistake(['--json=yes'])).toBe('--json takes no value (got --json=yes)')
  })

  it('rejects positionals unless allowed, pointing at an option spelt without dashes', () => {
    expect(mistake(['json'])).toBe('unexpected argument "json"; did you mean --json?')
    expect(mistake(['stray'])).toBe('unexpected argument "stray"')
  })
})

describe('closestMatch', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(closestMatch('reciepts', ['request', 'receipts', 'simulate'])).toBe('receipts')
  })

  it('finds nothing for a word unlike any candidate', () => {
    expect(closestMatch('frobnicate', ['request', 'receipts', 'simulate'])).toBeUndefined()
  })
})

describe('visibleText', () => {
  it('shows escape sequences, control and bidirectional characters instead of acting on them', () => {
    expect(visibleText('\u001b[2J\u001b]0;pwned\u0007Acme\u202eLtd\r\n\u009b')).toBe(
      '\\e[2J\\e]0;pwned\\u{7}Acme\\u{202e}Ltd\\r\\n\\u{9b}',
    )
  })

  it('keeps ordinary text, accents and emoji as they are', () => {
    expect(visibleText('Café Ünïcode — £500 ✔ 🚀')).toBe('Café Ünïcode — £500 ✔ 🚀')
  })

  it('writes JSON lines that parse to the same value and hold no character that acts on a terminal', () => {
    const value = { payee: 'Acme\u202e\u009b31m\u001b[2J', note: 'line\nbreak' }
    const line = jsonLine(value)
    expect(line.endsWith('\n')).toBe(true)
    expect(JSON.parse(line)).toEqual(value)
    expect(line.slice(0, -1)).toMatch(/^[\x20-\x7e]*$/)
  })

  it('keeps line breaks and tabs only for multi-line text', () => {
    expect(visibleText('a\n\tb\u001b[31m', { multiline: true })).toBe('a\n\tb\\e[31m')
  })
})
