/** A command-line mistake; the CLI prints it with the usage and exits 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliUsageError'
  }
}

/** A subcommand that could not do its job (no sandbox running, approval already decided); exits 1. */
export class CliCommandError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliCommandError'
  }
}
