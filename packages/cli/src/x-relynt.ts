import { main } from './cli/main.js'
import { relyntProgram } from './relynt/program.js'

await main(relyntProgram)
