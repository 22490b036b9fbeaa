import { type Colors, createColors } from './colors.js'
import type { OutputStream } from './output-stream.js'
import { type Spinner, startSpinner } from './spinner.js'

export type { Colors, OutputStream }

/** Where a command writes, and how. */
export interface Output {
  /** `--json`: data on stdout is JSON, never text. */
  readonly json: boolean
  readonly stdout: OutputStream
  readonly stderr: OutputStream
  /** Colours for what goes to stdout; all identity functions when it is not a colour terminal. */
  readonly color: Colors
  /** Colours for what goes to stderr. */
  readonly errorColor: Colors
  /** Writes a line to stdout. */
  line(text?: string): void
  /** Writes a line to stderr (progress, notes), which keeps stdout clean for data. */
  note(text: string): void
  /** One JSON document on a line of stdout. */
  writeJson(value: unknown): void
  /** A spinner on stderr while waiting, when stderr is a terminal; otherwise it does nothing. */
  spinner(text: string): Spinner
}

/**
 * Colour only on a terminal, and never when `NO_COLOR` is set to anything
 * (https://no-color.org) or the terminal says it cannot (`TERM=dumb`).
 */
export function colorEnabled(stream: OutputStream, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

export function createOutput(options: {
  json: boolean
  stdout: OutputStream
  stderr: OutputStream
  env: Record<string, string | undefined>
}): Output {
  const { stdout, stderr, env, json } = options
  const color = createColors(colorEnabled(stdout, env))
  const errorColor = createColors(colorEnabled(stderr, env))
  const animate = stderr.isTTY === true && env.TERM !== 'dumb'
  return {
    json,
    stdout,
    stderr,
    color,
    errorColor,
    line: (text = '') => {
      stdout.write(`${text}\n`)
    },
    note: (text) => {
      stderr.write(`${text}\n`)
    },
    writeJson: (value) => {
      stdout.write(`${JSON.stringify(value)}\n`)
    },
    spinner: (text) => (animate ? startSpinner(stderr, text, errorColor) : silentSpinner),
  }
}

const silentSpinner: Spinner = { update() {}, stop() {} }
