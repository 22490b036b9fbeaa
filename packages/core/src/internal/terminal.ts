// Not public API: what the commands of this repository (x-ralio, x-relynt, x-sandbox, x-mcp)
// share for reading their command line and printing untrusted text. A subpath of its own so
// a command answering --help or a typo loads these few lines, not the transport.
export { closestMatch } from '../util/closest-match.js'
export {
  CommandLineError,
  type CommandLineOption,
  type ParsedCommandLine,
  parseCommandLine,
} from '../util/parse-command-line.js'
export { jsonLine, visibleText } from '../util/visible-text.js'
