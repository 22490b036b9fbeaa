// C0 controls (ESC starts every terminal escape sequence), DEL, C1 controls (0x9B is a
// one-byte CSI on some terminals), and the invisible characters that reorder or hide text:
// bidirectional overrides and isolates, zero-width characters, line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const invisible = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g
const invisibleExceptLineBreaks =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: as above, minus line feed and tab
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' }

/**
 * Text that came from an agent or a server, made safe to print on a terminal: every control,
 * escape and invisible formatting character is shown as an escape (`\e`, `\n`, `\u{7}`, `\u{202e}`)
 * instead of acting, so a payload, reason or payee name can neither repaint the screen, move
 * the cursor, set the window title nor start a fake line. `multiline` keeps line breaks and
 * tabs, for text that is meant to span lines (a chat reply).
 */
export function visibleText(text: string, options: { multiline?: boolean } = {}): string {
  return text.replace(options.multiline ? invisibleExceptLineBreaks : invisible, escapeCharacter)
}

function escapeCharacter(character: string): string {
  return named[character] ?? `\\u{${character.charCodeAt(0).toString(16)}}`
}

/**
 * `value` as one JSON line (with its newline) in which no character can act on a terminal:
 * `JSON.stringify` escapes C0 controls but not DEL, C1 or bidirectional ones; these are
 * escaped too (`\u202e`), so the line is still JSON that parses to the same value.
 */
export function jsonLine(value: unknown): string {
  const json = JSON.stringify(value).replace(
    invisible,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return `${json}\n`
}
