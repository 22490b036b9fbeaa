/**
 * What a tool read back from the system that acted, after its work ran. A guarded tool whose
 * `execute` returns one reports this status (e.g. `paid`, `not_executed`, `mismatch`) instead
 * of `allowed`: the authorisation says what was permitted, only the system that acted can say
 * what happened.
 */
export interface ObservedEffect<
  Status extends string = string,
  Fields extends object = Record<string, unknown>,
> {
  readonly [OBSERVED_EFFECT]: true
  /** What happened, in the tool's own words: `paid`, `not_executed`, `mismatch`… */
  readonly status: Status
  /** True when the work was not done as authorised: the framework marks it as an error result. */
  readonly isError: boolean
  /** One line for the model: what happened, whether anything was done, the next useful call. */
  readonly message: string
  /** What was observed (payment intent id, amounts…), spread into the outcome. */
  readonly fields: Fields
}

const OBSERVED_EFFECT = Symbol.for('x.agent-tools.ObservedEffect')

/** Builds the value an `execute` returns to report what it observed. */
export function observedEffect<Status extends string, Fields extends object>(
  status: Status,
  effect: { isError: boolean; message: string; fields: Fields },
): ObservedEffect<Status, Fields> {
  return {
    [OBSERVED_EFFECT]: true,
    status,
    isError: effect.isError,
    message: effect.message,
    fields: effect.fields,
  }
}

/** True for a value built by {@link observedEffect}, also across two installed copies. */
export function isObservedEffect(value: unknown): value is ObservedEffect {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[OBSERVED_EFFECT] === true
  )
}
