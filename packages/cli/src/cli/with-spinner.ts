import type { Output } from './output.js'

/** Runs `work` with a spinner on a terminal, cleared whatever the outcome. */
export async function withSpinner<T>(output: Output, text: string, work: () => Promise<T>): Promise<T> {
  const spinner = output.spinner(text)
  try {
    return await work()
  } finally {
    spinner.stop()
  }
}
