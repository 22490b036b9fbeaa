// Runs the quick starts on whichever runtime executes this file (Node, Bun or Deno),
// configured the way a user would: the SDKs' environment variables. Prints the result
// as one line of JSON for the test that started it.
import { runQuickstarts } from './quickstart-flow.ts'

const env = (name: string): string => {
  const value = globalThis.process?.env[name]
  if (value === undefined || value === '') throw new Error(`${name} must be set`)
  return value
}

const result = await runQuickstarts({
  ralio: {
    mode: 'register',
    baseUrl: env('RALIO_API_URL'),
    ticket: env('RALIO_REGISTRATION_TICKET'),
    configDir: env('RALIO_CONFIG_DIR'),
  },
  relynt: {
    baseUrl: env('RELYNT_API_BASE_URL'),
    agentId: env('RELYNT_AGENT_ID'),
    agentSecret: env('RELYNT_AGENT_SECRET'),
  },
  reference: env('QUICKSTART_REFERENCE'),
})
console.log(JSON.stringify(result))
