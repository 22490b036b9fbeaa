const log = (line: string) => process.stderr.write(`${line}\n`)

// Loaded dynamically: the MCP SDK is an optional peer dependency, and a missing one deserves
// one clear line rather than a module-resolution stack trace.
let cli: typeof import('./run-x-mcp.js')
try {
  cli = await import('./run-x-mcp.js')
} catch (error) {
  const missing = /'(@modelcontextprotocol\/sdk)[^']*'/.exec(String((error as Error).message))
  if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || missing === null) throw error
  log(
    'x-mcp: needs the MCP SDK next to @x/agent-tools: run it as ' +
      '`npx -p @x/agent-tools -p @modelcontextprotocol/sdk x-mcp`, or `npm install @modelcontextprotocol/sdk`.',
  )
  process.exit(1)
}

try {
  const running = await cli.runXMcp(process.argv.slice(2), { env: process.env, log })
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
  if (cli.UsageError.isInstance(error)) {
    log(`x-mcp: ${error.message}\n\n${cli.usage}`)
    process.exit(2)
  }
  // One line: hosts show a server's stderr as is.
  log(`x-mcp: ${(error instanceof Error ? error.message : String(error)).replaceAll('\n', ' ')}`)
  process.exit(1)
}
