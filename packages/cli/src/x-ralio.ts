import { main } from './cli/main.js'
import { ralioProgram } from './ralio/program.js'

await main(ralioProgram)
