import { readFile } from 'node:fs/promises'
import { UsageError } from './usage-error.js'

/** `--per-page 50` → 50. Range checks stay with the SDK, which knows its limits. */
export function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`)
  return Number(value)
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `90`, `90s`, `1500ms`, `10m`, `1h` → milliseconds (a bare number is seconds). */
export function duration(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  if (match === null) {
    throw new UsageError(
      `${flag} must be a duration such as 90s, 10m or 1h (a bare number is seconds), got "${value}"`,
    )
  }
  return Math.round(Number(match[1]) * durationUnits[match[2] ?? 's']!)
}

/**
 * `--payload` as inline JSON, `@path/to/file.json`, or `@-` for standard input. Whether
 * it is an object the SDK checks; here only that it is JSON at all.
 */
export async function jsonArgument(
  value: string | undefined,
  flag: string,
  readStdin: () => Promise<string> = readStandardInput,
): Promise<unknown> {
  if (value === undefined) return undefined
  let text = value
  let source = flag
  if (value.startsWith('@')) {
    const path = value.slice(1)
    source = path === '-' ? `${flag} (standard input)` : `${flag} file ${path}`
    try {
      text = path === '-' ? await readStdin() : await readFile(path, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${source}: ${(error as Error).message}`)
    }
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON (${(error as Error).message})`)
  }
}

export async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** `--scopes a,b --scopes c` or `--scopes "a b"` → `['a', 'b', 'c']`. */
export function list(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined
  const items = values.flatMap((value) => value.split(/[\s,]+/)).filter(Boolean)
  return items.length === 0 ? undefined : items
}
