import type { OptionSpecs, ProgramSpec } from '../cli/command-spec.js'
import { exitCodeHelp } from '../cli/exit-codes.js'

const listOptions: OptionSpecs = {
  all: { type: 'boolean', help: 'Every page, fetched one page at a time (default: one page)' },
  page: { type: 'string', value: 'N', help: 'The page to show, from 1 (default 1)' },
  'per-page': { type: 'string', short: 'n', value: 'N', help: 'Items per page (default 50)' },
}

/** `x-ralio`: registration, status, chat and the read-only lists of the Ralio API. */
export const ralioProgram: ProgramSpec = {
  name: 'x-ralio',
  summary: 'the Ralio agentic payment API from the command line',
  sharedOptions: {
    'api-url': {
      type: 'string',
      value: 'URL',
      help: 'API origin (default RALIO_API_URL, else https://api.ralio.co)',
    },
    'config-dir': {
      type: 'string',
      value: 'DIR',
      help: 'Credentials folder shared with the official ralio CLI and SDKs (default RALIO_CONFIG_DIR, else ~/.ralio)',
    },
  },
  environment: [
    ['RALIO_API_URL', 'API origin; --api-url wins'],
    ['RALIO_CONFIG_DIR', 'credentials folder; --config-dir wins'],
    ['RALIO_REGISTRATION_TICKET', 'the one-time ticket for register; --ticket wins'],
    ['NO_COLOR', 'set to anything to turn colour off (colour is only ever used on a terminal)'],
  ],
  exitCodes: exitCodeHelp.filter(([code]) => ['0', '1', '2', '130'].includes(code)),
  versions: async () => [`@x/ralio ${(await import('@x/ralio')).VERSION}`],
  loadDescribe: () => import('./describe-ralio-error.js'),
  commands: [
    {
      name: 'register',
      summary: 'Bind this host to an agent with a one-time registration ticket',
      options: {
        ticket: {
          type: 'string',
          value: 'TICKET',
          help: 'The ralio-reg-… ticket the owner minted, or - to read it from standard input (default RALIO_REGISTRATION_TICKET)',
        },
        scopes: {
          type: 'string',
          multiple: true,
          value: 'SCOPES',
          help: 'Scopes to ask for, within the ticket’s ceiling, comma-separated (default: the whole ceiling)',
        },
        overwrite: { type: 'boolean', help: 'Replace credentials already in the folder' },
      },
      details:
        'A P-256 key is generated here and only its public half is sent; the binding is active when this returns. ' +
        'The credentials go where the official `ralio auth agent` puts them (<config-dir>/credentials.json and ' +
        '<config-dir>/keys/<jkt>.pem, mode 0600), so either tool can use what the other registered. ' +
        'Existing credentials are never replaced without --overwrite, and that is checked before the ticket is spent. ' +
        'A ticket given on the command line is visible in the process list, so it prints a warning: prefer --ticket - ' +
        '(standard input) or RALIO_REGISTRATION_TICKET.',
      examples: [
        'x-ralio register --ticket - < ticket.txt',
        'RALIO_REGISTRATION_TICKET=ralio-reg-… x-ralio register --scopes agents:execute --json',
        'x-ralio register --ticket - --config-dir ./ci-credentials --overwrite < ticket.txt',
      ],
      load: () => import('./register-command.js'),
    },
    {
      name: 'status',
      summary: 'Show the binding, its scopes, key fingerprint and token validity (never a secret)',
      options: {
        offline: {
          type: 'boolean',
          help: 'Only read the folder; do not ask the API whether the binding works',
        },
      },
      details:
        'Reads the credentials folder, then (unless --offline) makes one authenticated call to check the binding ' +
        'is accepted and to name its agent. Tokens, keys and proofs are never printed.',
      examples: ['x-ralio status', 'x-ralio status --offline --json'],
      load: () => import('./status-command.js'),
    },
    {
      name: 'chat',
      summary: 'Send a message to the agent and stream its work: text, tools, reply',
      arguments: '<message>',
      positionals: { min: 1, max: 1 },
      options: {
        conversation: {
          type: 'string',
          short: 'c',
          value: 'ID',
          help: 'Continue this conversation (its id is printed after each reply)',
        },
        agent: {
          type: 'string',
          short: 'a',
          value: 'ID',
          help: 'The agent to talk to (default: the one the binding is pinned to)',
        },
      },
      details:
        'The reply streams to stdout and tool activity to stderr. With --json, stdout carries one JSON event per ' +
        'line (NDJSON): {"event","name","data","text"?}. A message of - is read from standard input. A message is sent once and never re-sent; after Ctrl+C ' +
        'the agent may already have acted, so check `x-ralio intents` before sending it again.',
      examples: [
        'x-ralio chat "What is my balance?"',
        'x-ralio chat "Pay £500 to Bob for the April invoice" --json',
        'x-ralio chat -c 5f0c…e1 "And £20 to Alice for lunch"',
        'x-ralio chat - < instructions.txt',
      ],
      load: () => import('./chat-command.js'),
    },
    {
      name: 'transactions',
      summary: 'List the payments the agent made',
      options: listOptions,
      details: 'With --json, stdout is a JSON array of transactions (amounts are decimal strings).',
      examples: [
        'x-ralio transactions',
        'x-ralio transactions --all --json',
        'x-ralio transactions -n 10 --page 2',
      ],
      load: () => import('./list-command.js').then(({ listTransactions }) => ({ run: listTransactions })),
    },
    {
      name: 'intents',
      summary: 'List the payment intents the agent proposed, with their approval and execution status',
      options: listOptions,
      details: 'With --json, stdout is a JSON array of payment intents (amounts are decimal strings).',
      examples: ['x-ralio intents', 'x-ralio intents --all --json'],
      load: () => import('./list-command.js').then(({ listIntents }) => ({ run: listIntents })),
    },
    {
      name: 'agents',
      summary: 'List the agents this binding may talk to (the one it is pinned to)',
      options: {
        all: { type: 'boolean', help: 'Accepted for symmetry with the other lists; agents are one page' },
      },
      details: 'With --json, stdout is a JSON array of agents.',
      examples: ['x-ralio agents', 'x-ralio agents --json'],
      load: () => import('./list-command.js').then(({ listAgents }) => ({ run: listAgents })),
    },
  ],
}
