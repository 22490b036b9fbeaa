type EnvGlobals = {
  process?: { env?: Record<string, string | undefined> }
  Deno?: { env?: { get(name: string): string | undefined } }
}

/**
 * Reads an environment variable on any runtime; an empty or blank value counts as unset,
 * so `FOO= command` behaves like `FOO` not being there. Returns undefined where there is
 * no environment (browsers, most edge workers) or no permission to read it (Deno).
 */
export function readEnv(name: string): string | undefined {
  const globals = globalThis as EnvGlobals
  let value = globals.process?.env?.[name]
  if (value === undefined && globals.Deno?.env) {
    try {
      value = globals.Deno.env.get(name)
    } catch {
      // Deno without --allow-env: treat as unset.
    }
  }
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}
