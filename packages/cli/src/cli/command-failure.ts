/**
 * A command's deliberate non-zero outcome that is not an SDK error (an invalid receipt):
 * its message is printed as the error paragraph and the process exits with `exitCode`.
 */
export class CommandFailure extends Error {
  override name = 'CommandFailure'
  readonly exitCode: number

  constructor(message: string, exitCode: number) {
    super(message)
    this.exitCode = exitCode
  }
}
