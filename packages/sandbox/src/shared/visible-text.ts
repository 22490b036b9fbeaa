// C0 and C1 controls (ESC starts every terminal escape sequence), DEL, and the zero-width and
// bidirectional characters that could hide or reorder text on an approver's screen.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const invisible = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' }

/**
 * `text` on one line with every control, escape, zero-width and bidirectional character made
 * visible (`\e`, `\n`, `\u{202e}`), so text that came from an agent cannot repaint a terminal,
 * forge a log line or reorder what a person reads.
 */
export function visibleText(text: string): string {
  return text.replace(
    invisible,
    (character) => named[character] ?? `\\u{${character.codePointAt(0)!.toString(16)}}`,
  )
}

/** `value` as one JSON line (with a newline) in which no character can act on a terminal. */
export function jsonLine(value: unknown): string {
  const json = JSON.stringify(value).replace(invisible, (character) => {
    return `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`
  })
  return `${json}\n`
}
