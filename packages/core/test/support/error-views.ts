import { inspect } from 'node:util'
import type { Logger } from '../../src/index.js'

/** Every view a user may take of an error (message, stack, inspect, JSON, body, headers), and every logged line. */
export function errorViews(error: unknown, lines: readonly string[] = []): string[] {
  const record = error as Error & { body?: unknown; headers?: unknown }
  return [
    record.message,
    String(record.stack),
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
    inspect(record.body, { depth: 10 }),
    inspect(record.headers, { depth: 10 }),
    ...lines,
  ]
}

/** A logger that keeps every line, fields included, at every level. */
export function recordingLogger(lines: string[]): Logger {
  const record = (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${message} ${inspect(fields, { depth: 10 })}`)
  return { error: record, warn: record, info: record, debug: record }
}
