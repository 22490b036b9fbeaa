import type { Colors, OutputStream } from './output.js'

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
    stream.write(`\r\x1b[2K${color.cyan(frames[frame % frames.length]!)} ${current.slice(0, width)}`)
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
