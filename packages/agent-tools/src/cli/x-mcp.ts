import { runXMcp, UsageError, usage } from './run-x-mcp.js'

const log = (line: string) => process.stderr.write(`${line}\n`)

try {
  const running = await runXMcp(process.argv.slice(2), { env: process.env, log })
  if (running !== undefined) {
    let stopping = false
    const stop = async (reason: string) => {
      if (stopping) process.exit(130)
      stopping = true
      log(`x-mcp: ${reason}, shutting down`)
      await running.close()
      process.exit(0)
    }
    process.on('SIGINT', () => stop('SIGINT received'))
    process.on('SIGTERM', () => stop('SIGTERM received'))
    running.closed.then(() => stop('the client closed the connection'))
  }
} catch (error) {
  if (UsageError.isInstance(error)) {
    log(`x-mcp: ${error.message}\n\n${usage}`)
    process.exit(2)
  }
  // One line: hosts show a server's stderr as is.
  log(`x-mcp: ${(error instanceof Error ? error.message : String(error)).replaceAll('\n', ' ')}`)
  process.exit(1)
}
