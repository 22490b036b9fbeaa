import type { Output } from './output.js'

/** One flag: what `node:util` `parseArgs` needs, plus what `--help` says about it. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** The placeholder shown in help, e.g. `ID`; string options only. */
  value?: string
  /** The command cannot run without it: a usage error (exit 2) names it before anything is sent. */
  required?: boolean
  help: string
}

export type OptionSpecs = Record<string, OptionSpec>

/** What a command's implementation gets. */
export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
  /** Aborted by Ctrl+C: pass it to every SDK call. */
  signal: AbortSignal
  output: Output
  /**
   * Said after "Interrupted" when Ctrl+C stops the command at this point: what state the
   * interruption leaves behind and how to pick up from it.
   */
  interruptNote: string | undefined
}

/** A command's implementation resolves to the process exit code. */
export type CommandRun = (context: CommandContext) => Promise<number>

/**
 * A command as the dispatcher sees it. Everything here is plain data, so `--help` and
 * usage errors never load an SDK; `load` imports the implementation only to run it.
 */
export interface CommandSpec {
  /** One or two words: `status`, `receipts list`. */
  name: string
  summary: string
  /** Positional arguments as shown in the usage line, e.g. `"<message>"`. */
  arguments?: string
  /** Smallest and largest number of positional arguments; default none. */
  positionals?: { min: number; max: number }
  options: OptionSpecs
  /** Paragraphs after the usage line. */
  details?: string
  examples: string[]
  load: () => Promise<{ run: CommandRun }>
}

/** A program (`x-ralio`, `x-relynt`): its commands and what every command shares. */
export interface ProgramSpec {
  name: string
  summary: string
  commands: CommandSpec[]
  /** Options every command of the program accepts (besides --help, --json). */
  sharedOptions: OptionSpecs
  /** `[code, meaning]` rows for help: the exit codes this program's commands use. */
  exitCodes: [string, string][]
  /** `[variable, meaning]` rows for help. */
  environment: [string, string][]
  /** Versions of the SDKs the program is built on, read when `--version` is asked. */
  versions: () => Promise<string[]>
  /**
   * Rephrases an SDK error in the program's terms ("use --overwrite" rather than
   * "pass overwrite: true"); loaded only when a command fails.
   */
  loadDescribe?: () => Promise<{ describe: (error: unknown) => string | undefined }>
}

/** Options every command of every program accepts. */
export const commonOptions: OptionSpecs = {
  json: { type: 'boolean', help: 'Print JSON on stdout instead of text' },
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
  version: { type: 'boolean', help: 'Print the version of this command and of the SDK it uses' },
}
