import type { Colors } from './colors.js'
import type { OutputStream } from './output-stream.js'

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const frameIntervalMs = 80

export interface Spinner {
  /** Replaces the text shown next to the spinner. */
  update(text: string): void
  /** Clears the spinner's line; whatever comes next is written where it was. */
  stop(): void
}

/**
 * A one-line spinner redrawn in place with a carriage return. Callers stop it before
 * writing anything else to the same terminal.
 */
export function startSpinner(stream: OutputStream, text: string, color: Colors): Spinner {
  let frame = 0
  let current = text
  const draw = () => {
    // `columns` is 0 or undefined when the terminal does not report a size.
    const width = Math.max(20, (stream.columns || 80) - 3)
    stream.write(`\r\x1b[2K${color.cyan(frames[frame % frames.length]!)} ${fitToWidth(current, width)}`)
    frame += 1
  }
  draw()
  const timer = setInterval(draw, frameIntervalMs)
  // A spinner left running must not keep the process alive.
  timer.unref()
  let stopped = false
  return {
    update(next) {
      current = next
    },
    stop() {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      stream.write('\r\x1b[2K')
    },
  }
}

// An id such as `apr_905f87f03bb64572a2beab5337ee0eb4` or a UUID: a run of 16 or more letters,
// digits and dashes holding at least one digit, after an optional `prefix_`.
const longId = /\b([a-z]+_)?(?=[\w-]*\d)([a-z0-9][a-z0-9-]{15,})\b/gi

/**
 * `text` in at most `width` columns, so the spinner never wraps (a wrapped line cannot be
 * redrawn in place). Long ids shrink first (`apr_905f…0eb4`), which keeps the status after
 * them; only then is the end cut.
 */
export function fitToWidth(text: string, width: number): string {
  if (text.length <= width) return text
  const shorter = text.replace(
    longId,
    (_, prefix = '', body: string) => `${prefix}${body.slice(0, 4)}…${body.slice(-4)}`,
  )
  return shorter.length <= width ? shorter : `${shorter.slice(0, width - 1)}…`
}
