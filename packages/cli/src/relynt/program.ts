import type { OptionSpecs, ProgramSpec } from '../cli/command-spec.js'
import { exitCodeHelp } from '../cli/exit-codes.js'

const actionOptions: OptionSpecs = {
  action: {
    type: 'string',
    value: 'ACTION',
    required: true,
    help: 'What the agent wants to do, e.g. update_deal',
  },
  resource: { type: 'string', value: 'RESOURCE', required: true, help: 'What it acts on, e.g. crm:deal:123' },
  payload: {
    type: 'string',
    value: 'JSON',
    help: 'The change, a JSON object: inline, @file.json, or @- for standard input',
  },
  'instance-id': {
    type: 'string',
    value: 'ID',
    help: 'The agent run this call belongs to (its receipts share it; default a new UUID per command)',
  },
}

const timeoutOption: OptionSpecs = {
  timeout: {
    type: 'string',
    value: 'DURATION',
    help: 'How long to wait for a person to decide: 90s, 10m, 1h (default 5m); then exit 4',
  },
}

/** `x-relynt`: ask the Relynt gateway before acting, wait for approvals, check receipts. */
export const relyntProgram: ProgramSpec = {
  name: 'x-relynt',
  summary: 'the Relynt authorization gateway from the command line',
  sharedOptions: {
    'base-url': { type: 'string', value: 'URL', help: 'The gateway origin (default RELYNT_API_BASE_URL)' },
    'agent-id': { type: 'string', value: 'ID', help: 'The agent to act as (default RELYNT_AGENT_ID)' },
  },
  environment: [
    ['RELYNT_API_BASE_URL', 'the gateway origin; --base-url wins'],
    ['RELYNT_AGENT_ID', 'the agent id; --agent-id wins'],
    [
      'RELYNT_AGENT_SECRET',
      'the credential as the dashboard shows it, <agent_id>:<secret>; read from the environment only, never a flag, so it stays out of shell history and process lists',
    ],
    ['NO_COLOR', 'set to anything to turn colour off (colour is only ever used on a terminal)'],
  ],
  exitCodes: exitCodeHelp,
  versions: async () => [`@x/relynt ${(await import('@x/relynt')).VERSION}`],
  loadDescribe: () => import('./describe-relynt-error.js'),
  commands: [
    {
      name: 'request',
      summary: 'Ask the gateway whether the agent may perform an action (and optionally wait for approval)',
      options: {
        ...actionOptions,
        'idempotency-key': {
          type: 'string',
          value: 'KEY',
          help: 'Reuse the key of an earlier call to get its result instead of acting twice (default a new one, printed)',
        },
        wait: { type: 'boolean', help: 'On pending_approval, wait for the person to decide' },
        ...timeoutOption,
      },
      details:
        'Exit codes: 0 allowed (or approved with --wait), 3 denied (or the approval was denied or expired), ' +
        '4 still pending when --timeout ran out, 5 pending approval without --wait. With --json, stdout is one ' +
        'object: {decision, receiptId, approvalId?, toolResponse?, reason?, riskLevel?, policyVersion?, ' +
        'idempotencyKey, instanceId, approval?}. The gateway runs the action at most once per idempotency key.',
      examples: [
        'x-relynt request --action update_deal --resource crm:deal:123 --payload \'{"amount":52000}\'',
        'x-relynt request --action pay_supplier --resource payment:supplier:acme --payload @payment.json --wait --timeout 15m',
        'x-relynt request --action close_ticket --resource zendesk:ticket:77 --json | jq -r .receiptId',
      ],
      load: () => import('./request-command.js'),
    },
    {
      name: 'simulate',
      summary:
        'What the current policy would decide, with no side effects (no connector, receipt or approval)',
      options: actionOptions,
      details:
        'Exit codes follow the decision it predicts, so a CI step can assert a policy: 0 allow, 3 deny, ' +
        '5 pending_approval. With --json, stdout is {decision, riskLevel?, requiresApproval, reason?, ' +
        'policyVersion?, matchedRule}.',
      examples: [
        'x-relynt simulate --action update_deal --resource crm:deal:123 --payload \'{"stage":"closed_won"}\'',
        'x-relynt simulate --action delete_account --resource crm:account:9 --json',
      ],
      load: () => import('./simulate-command.js'),
    },
    {
      name: 'approval wait',
      summary: 'Wait for a person to decide a pending approval',
      arguments: '<approval-id>',
      positionals: { min: 1, max: 1 },
      options: timeoutOption,
      details:
        'Exit codes: 0 approved, 3 denied or expired, 4 still pending when --timeout ran out (wait again later; ' +
        'nothing was executed). With --json, stdout is the approval: {approvalId, status, decidedBy, decidedAt, ' +
        'receiptId?, toolResponse?, error?}.',
      examples: ['x-relynt approval wait apr_8f2c', 'x-relynt approval wait apr_8f2c --timeout 30m --json'],
      load: () => import('./approval-command.js').then(({ waitForApproval }) => ({ run: waitForApproval })),
    },
    {
      name: 'approval get',
      summary: 'Check a pending approval once',
      arguments: '<approval-id>',
      positionals: { min: 1, max: 1 },
      options: {},
      details: 'With --json, stdout is the approval, as for `approval wait`.',
      examples: ['x-relynt approval get apr_8f2c'],
      load: () => import('./approval-command.js').then(({ getApproval }) => ({ run: getApproval })),
    },
    {
      name: 'receipts list',
      summary: 'List the receipts of the gateway’s decisions',
      options: {
        decision: { type: 'string', value: 'DECISION', help: 'allow, deny, pending_approval or error' },
        risk: { type: 'string', value: 'LEVEL', help: 'low, medium or high' },
        'by-agent': { type: 'string', value: 'ID', help: 'Only this agent’s receipts' },
        from: { type: 'string', value: 'TIME', help: 'Created at or after this ISO 8601 instant' },
        to: { type: 'string', value: 'TIME', help: 'Created at or before this ISO 8601 instant' },
        search: { type: 'string', value: 'TEXT', help: 'Free text over action and resource' },
        limit: { type: 'string', value: 'N', help: 'Receipts per page (default: the gateway’s page size)' },
        all: { type: 'boolean', help: 'Follow every page, not only the first' },
      },
      details:
        'Shows the first page unless --all is given. With --json, stdout is a JSON array of receipt summaries.',
      examples: [
        'x-relynt receipts list --decision deny --from 2026-05-01T00:00:00Z',
        'x-relynt receipts list --all --json',
      ],
      load: () => import('./receipts-command.js').then(({ listReceipts }) => ({ run: listReceipts })),
    },
    {
      name: 'reconcile',
      summary: 'Pair every Ralio payment of a window with the Relynt receipt that allowed it',
      options: {
        since: {
          type: 'string',
          value: 'WHEN',
          help: 'Start of the window: a duration back from now (24h, 90m) or an ISO 8601 instant (default 24h)',
        },
        until: {
          type: 'string',
          value: 'TIME',
          help: 'End of the window, an ISO 8601 instant (default now)',
        },
      },
      details:
        'Reads every payment intent and transaction of the window from Ralio (RALIO_API_URL, RALIO_CONFIG_DIR: ' +
        'the binding x-ralio uses) and every allowing ralio.pay receipt from Relynt. Exit 0 when every payment ' +
        'was authorised exactly and every authorisation was used; 6 when anything is unauthorised, not executed ' +
        'or mismatched. With --json, stdout is {matched, unauthorised, notExecuted, mismatched}.',
      examples: [
        'x-relynt reconcile',
        'x-relynt reconcile --since 2026-05-01T00:00:00Z --until 2026-05-02T00:00:00Z --json',
      ],
      load: () => import('./reconcile-command.js').then(({ reconcile }) => ({ run: reconcile })),
    },
    {
      name: 'receipts get',
      summary: 'Show one receipt in full',
      arguments: '<receipt-id>',
      positionals: { min: 1, max: 1 },
      options: {},
      examples: ['x-relynt receipts get rcpt_41ab', 'x-relynt receipts get rcpt_41ab --json'],
      load: () => import('./receipts-command.js').then(({ getReceipt }) => ({ run: getReceipt })),
    },
    {
      name: 'receipts verify',
      summary:
        'Have the gateway check a receipt’s signature, and check its request hash against what was sent',
      arguments: '<receipt-id>',
      positionals: { min: 1, max: 1 },
      options: {
        action: { type: 'string', value: 'ACTION', help: 'With --resource: the action that was sent' },
        resource: { type: 'string', value: 'RESOURCE', help: 'With --action: the resource that was sent' },
        payload: {
          type: 'string',
          value: 'JSON',
          help: 'The payload that was sent: inline, @file.json or @-',
        },
        'instance-id': {
          type: 'string',
          value: 'ID',
          help: 'The instance id the request carried (default: the receipt’s own)',
        },
      },
      details:
        'Only the gateway holds the signing key, so the signature is checked there. With --action and ' +
        '--resource, the receipt’s request hash (SHA-256 of the RFC 8785 canonical request) is also recomputed ' +
        'here from what you say was sent. Exit 0 when every check passes, 1 when one fails. With --json, stdout ' +
        'is {receiptId, signatureValid, requestHashMatches}.',
      examples: [
        'x-relynt receipts verify rcpt_41ab',
        'x-relynt receipts verify rcpt_41ab --action update_deal --resource crm:deal:123 --payload @sent.json',
      ],
      load: () => import('./receipts-command.js').then(({ verifyReceipt }) => ({ run: verifyReceipt })),
    },
  ],
}
