/**
 * Scopes a credential binding can hold. `agents:config` is human-only and never
 * grantable; `audits:read` is not a binding's to hold either.
 */
export const grantableScopes = ['agents:execute', 'transactions:read'] as const

export type GrantableScope = (typeof grantableScopes)[number]

export function isGrantableScope(scope: string): scope is GrantableScope {
  return (grantableScopes as readonly string[]).includes(scope)
}

/** Splits an OAuth `scope` parameter (space-separated) into distinct scopes. */
export function parseScopeParameter(value: string): string[] {
  return [...new Set(value.split(' ').filter((scope) => scope.length > 0))]
}
