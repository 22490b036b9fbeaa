import { main } from './quickstart.js'

try {
  await main()
} catch (error) {
  // A typed SDK error says what went wrong and what to do; the stack adds nothing for a reader.
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error)
  process.exitCode = 1
}
