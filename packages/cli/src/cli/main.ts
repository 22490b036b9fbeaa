import type { ProgramSpec } from './command-spec.js'
import { runProgram } from './run-program.js'

/** The process around `runProgram`: real streams and environment, and the exit. */
export async function main(program: ProgramSpec): Promise<never> {
  for (const stream of [process.stdout, process.stderr]) {
    // `x-ralio transactions | head` closes the pipe early: that is the reader's choice, not an error.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0)
      throw error
    })
  }
  const code = await runProgram(program, process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  })
  // Exit explicitly (an idle keep-alive socket must not hold the process), once output is out.
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))),
  )
  process.exit(code)
}
