import { runSession } from './session.js'

await runSession((line) => console.log(line))
