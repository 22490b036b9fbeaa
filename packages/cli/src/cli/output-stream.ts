/** A writable terminal-or-pipe stream: `process.stdout` or `process.stderr`. */
export interface OutputStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}
