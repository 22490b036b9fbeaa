/** The exit codes both commands document; scripts branch on them. */
export const ExitCode = {
  ok: 0,
  /** Anything that went wrong: network, HTTP error, bad credentials, invalid receipt. */
  error: 1,
  /** The command line (or the environment it reads) is wrong. */
  usage: 2,
  /** The gateway denied the action, or the approval was denied or expired. */
  denied: 3,
  /** The wait for a person's approval ran out while it was still pending. */
  approvalTimeout: 4,
  /** The action awaits a person's approval and the command did not wait (no --wait). */
  pendingApproval: 5,
  /** `reconcile` found a payment without its authorisation, or an authorisation without its payment. */
  discrepancy: 6,
  /** Ctrl+C (SIGINT): the request in flight was aborted. */
  interrupted: 130,
} as const

/** The table `--help` prints. */
export const exitCodeHelp: [string, string][] = [
  ['0', 'success'],
  ['1', 'error (network, HTTP, credentials, failed verification)'],
  ['2', 'usage: a wrong flag, argument or setting'],
  ['3', 'denied by the gateway or by the approver (or the approval expired)'],
  ['4', 'the approval was still pending when the wait ran out'],
  ['5', 'pending approval, not waited for (no --wait)'],
  ['6', 'reconcile found a discrepancy (unauthorised, not executed or mismatched payments)'],
  ['130', 'interrupted (Ctrl+C); the request in flight was aborted'],
]
