import { AgentToolsError } from '../errors.js'

/** A command-line mistake: printed with the usage, exit 2. */
export class UsageError extends AgentToolsError {
  static override readonly brand: symbol = Symbol.for('x.error.agent-tools.UsageError')
}
