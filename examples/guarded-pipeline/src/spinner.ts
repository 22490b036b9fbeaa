const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const frameIntervalMs = 80

export interface Spinner {
  /** Replaces the text shown next to the spinner. */
  update(text: string): void
  /** Clears the spinner line; the caller prints the outcome. */
  stop(): void
}

/**
 * A one-line spinner on a terminal stream. It redraws in place with a carriage return,
 * so it must only run while nothing else writes to the same terminal.
 */
export function startSpinner(stream: NodeJS.WriteStream, text: string): Spinner {
  let frame = 0
  let current = text
  const draw = () => {
    // `columns` is 0 or undefined when the terminal does not report a size.
    const width = Math.max(20, (stream.columns || 80) - 3)
    stream.write(`\r\x1b[2K${frames[frame % frames.length]} ${current.slice(0, width)}`)
    frame += 1
  }
  draw()
  const timer = setInterval(draw, frameIntervalMs)
  // A forgotten spinner must not keep the process alive.
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
