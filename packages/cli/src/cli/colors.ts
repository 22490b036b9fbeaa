/** The few styles the commands use; each is the identity when colour is off. */
export interface Colors {
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  cyan(text: string): string
}

/**
 * SGR styles written out rather than imported: loading a CommonJS colour library from ESM
 * cost about 2.5 ms of CPU at every start, a quarter of what the command added to Node's
 * own start-up, for six escape sequences.
 */
export function createColors(enabled: boolean): Colors {
  const style = (open: number, close: number) => {
    if (!enabled) return (text: string) => text
    const start = `\x1b[${open}m`
    const end = `\x1b[${close}m`
    // A nested style ending with the same code would end this one too: reopen it after.
    return (text: string) => `${start}${text.replaceAll(end, `${end}${start}`)}${end}`
  }
  return {
    bold: style(1, 22),
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
  }
}
