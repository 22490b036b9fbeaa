import { closestMatch } from './closest-match.js'

/** One flag, as `node:util` `parseArgs` takes it. */
export interface CommandLineOption {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
}

export interface ParsedCommandLine {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/**
 * A mistake on the command line, worded for the person who typed it ("unknown option
 * --acton; did you mean --action?"). Each command catches it and adds its own pointer to
 * its help.
 */
export class CommandLineError extends Error {
  override name = 'CommandLineError'
}

/**
 * `parseArgs` of `node:util` in strict mode, with our own messages instead of Node's: an
 * unknown option or a misspelt one gets a "did you mean", a missing value names the flag.
 * Node only: `node:util` is loaded when this is called, so importing it costs nothing elsewhere.
 */
export function parseCommandLine(
  args: string[],
  options: Record<string, CommandLineOption>,
  settings: { allowPositionals?: boolean } = {},
): ParsedCommandLine {
  const { parseArgs } = process.getBuiltinModule('node:util')
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true })
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (settings.allowPositionals !== true) {
        throw new CommandLineError(`unexpected argument "${token.value}"${suggestion(token.value, options)}`)
      }
      continue
    }
    if (token.kind !== 'option') continue
    const option = options[token.name]
    if (option === undefined) {
      // The argument as typed (`-json`, not the `-j` Node splits it into), without any `=value`.
      const typed = (args[token.index] ?? token.rawName).split('=')[0]!
      throw new CommandLineError(`unknown option ${typed}${suggestion(typed, options)}`)
    }
    const flag = token.rawName
    if (option.type === 'boolean' && token.value !== undefined) {
      throw new CommandLineError(`${flag} takes no value (got ${flag}=${token.value})`)
    }
    if (option.type === 'string') {
      if (token.value === undefined) throw new CommandLineError(`${flag} needs a value`)
      // Node reads `--action --json` as the value "--json"; it is far more likely a forgotten value.
      // A lone `-` is a value: "standard input".
      if (token.inlineValue === false && token.value.startsWith('-') && token.value !== '-') {
        throw new CommandLineError(
          `${flag} needs a value, got the option ${token.value}; to pass a value that starts with "-", write ${flag}=${token.value}`,
        )
      }
    }
  }
  const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true })
  // Every option was checked above: a string option has a string value, a boolean none.
  return { values: values as ParsedCommandLine['values'], positionals }
}

function suggestion(typed: string, options: Record<string, CommandLineOption>): string {
  const bare = typed.replace(/^-+/, '')
  const match = closestMatch(bare, Object.keys(options))
  return match === undefined ? '' : `; did you mean --${match}?`
}
