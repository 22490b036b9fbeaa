import { readEnv } from './read-env.js'
import { redact, redactText } from './redact.js'

/** How much the SDK logs: `off`, or the most detailed level to keep (`error` < `warn` < `info` < `debug`). */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug'

/** Where log lines go: `console` or any logger with these four methods (pino, winston…). Messages and fields arrive already redacted. */
export interface Logger {
  /** Logs at `error` level. */
  error(message: string, fields?: Record<string, unknown>): void
  /** Logs at `warn` level. */
  warn(message: string, fields?: Record<string, unknown>): void
  /** Logs at `info` level. */
  info(message: string, fields?: Record<string, unknown>): void
  /** Logs at `debug` level. */
  debug(message: string, fields?: Record<string, unknown>): void
}

const LEVELS: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 }
const METHODS = ['error', 'warn', 'info', 'debug'] as const

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LEVELS, value)
}

/**
 * The SDK's logger. `option` is a level (logs to the console, prefixed with `[name]`) or
 * your own logger (pino, winston, console…). Either way every message and field passes
 * through `redact` first, so no token, secret or proof reaches the sink.
 */
export function createLogger(
  option: Logger | LogLevel | undefined,
  name: string,
  fallback: LogLevel = 'warn',
): Logger {
  const sink: Logger = typeof option === 'object' && option !== null ? option : consoleSink(name)
  const threshold = LEVELS[isLogLevel(option) ? option : typeof option === 'object' ? 'debug' : fallback]
  const logger = {} as Logger
  for (const method of METHODS) {
    logger[method] =
      LEVELS[method] > threshold
        ? disabled
        : (message, fields) => {
            const safeMessage = redactText(message)
            if (fields === undefined) sink[method](safeMessage)
            else sink[method](safeMessage, redact(fields) as Record<string, unknown>)
          }
  }
  return logger
}

/** What a level below the threshold logs with: nothing. */
const disabled = (): void => {}

/**
 * Whether `logger` keeps `level` lines: false only for a level `createLogger` turned off. For
 * a hot path that would build a message nobody reads (a line per request at `debug`).
 */
export function logs(logger: Logger, level: Exclude<LogLevel, 'off'>): boolean {
  return logger[level] !== disabled
}

function consoleSink(name: string): Logger {
  const write =
    (method: (typeof METHODS)[number]) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (fields === undefined) console[method](`[${name}] ${message}`)
      else console[method](`[${name}] ${message}`, fields)
    }
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') }
}

/**
 * The log level an environment variable names (`RALIO_LOG=debug`), or `undefined` when it
 * is unset or names no level. An explicit `logger` option wins over it.
 */
export function envLogLevel(name: string): LogLevel | undefined {
  const value = readEnv(name)?.trim().toLowerCase()
  return isLogLevel(value) ? value : undefined
}
