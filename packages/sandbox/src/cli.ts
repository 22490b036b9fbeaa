import { CliCommandError, CliUsageError, cliUsage, runCli } from './run-cli.js'

try {
  const running = await runCli(process.argv.slice(2), (text) => process.stdout.write(text))
  if (running !== undefined) {
    let stopping = false
    const stop = async (signal: NodeJS.Signals) => {
      // A second Ctrl+C while shutting down means "now".
      if (stopping) process.exit(130)
      stopping = true
      process.stderr.write(`\nx-sandbox: ${signal} received, shutting down\n`)
      await running.close()
      process.exit(0)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  }
} catch (error) {
  if (error instanceof CliUsageError) {
    process.stderr.write(`x-sandbox: ${error.message}\n\n${cliUsage}`)
    process.exit(2)
  }
  if (error instanceof CliCommandError) {
    process.stderr.write(`x-sandbox: ${error.message}\n`)
    process.exit(1)
  }
  process.stderr.write(
    `x-sandbox: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
}
