import { describeFailure } from './describe-failure.js'
import { runPipeline } from './pipeline.js'
import { Renderer } from './render.js'

const interactive = process.stdout.isTTY === true && !process.env.CI
const renderer = new Renderer({
  stdout: process.stdout,
  spinnerStream: interactive && process.stderr.isTTY ? process.stderr : undefined,
  color: wantsColor(),
  columns: interactive ? process.stdout.columns : undefined,
})

// The first Ctrl-C stops the demo cleanly (sandboxes closed, temporary keys deleted); a second one kills it.
const interrupt = new AbortController()
process.once('SIGINT', () => interrupt.abort())

try {
  await runPipeline({ renderer, pacing: interactive ? 'human' : 'fast', signal: interrupt.signal })
} catch (error) {
  renderer.failure(describeFailure(error, Boolean(process.env.DEBUG)))
  process.exitCode = interrupt.signal.aborted ? 130 : 1
}

function wantsColor(): boolean {
  if (process.env.NO_COLOR) return false
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true
  return process.stdout.isTTY === true && process.env.TERM !== 'dumb'
}
