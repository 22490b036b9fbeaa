/**
 * The exact secrets an owner (one client, one `register()` call) holds, so the redactor can
 * scrub them by value from every error and log line, wherever a server echoes them: without
 * `Bearer` in front, inside a JSON body, an HTML page or a `WWW-Authenticate` header.
 *
 * Memory stays bounded however long a client lives: each `slot` keeps only its `keep` most
 * recent values (a rotated access token replaces the one before it), a scope has at most
 * {@link MAX_SLOTS} slots, and a scope nobody references any more (its client was dropped)
 * leaves the registry when it is garbage collected. Scoping per owner rather than one
 * process-wide list means a busy client's DPoP proofs never push another client's agent
 * secret out.
 */
export interface SecretScope {
  /**
   * From now on, `value` is replaced by `[redacted]` in every error message, body, header,
   * cause and log line the SDKs produce. `slot` names what it is (`accessToken`, `proof`…):
   * the slot keeps its `keep` latest values and forgets older ones. Values shorter than
   * {@link MIN_SECRET_LENGTH} characters are ignored: scrubbing them would blank out words.
   */
  add(value: string | undefined | null, slot?: string, keep?: number): void
}

/** A secret this short would match ordinary words; such values are not registered. */
export const MIN_SECRET_LENGTH = 6
const MAX_SLOTS = 32
const MAX_KEEP = 32

// Registered scopes, held weakly: a scope lives exactly as long as the client holding it.
const scopes = new Set<WeakRef<Scope>>()
const finalizer = new FinalizationRegistry<WeakRef<Scope>>((ref) => scopes.delete(ref))

class Scope implements SecretScope {
  // slot → the forms of its latest values (raw, URL-encoded, JSON-escaped), newest last.
  readonly slots = new Map<string, string[][]>()

  add(value: string | undefined | null, slot = 'fixed', keep = 4): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return
    let values = this.slots.get(slot)
    if (values?.some((forms) => forms[0] === value)) return
    if (values === undefined) {
      if (this.slots.size >= MAX_SLOTS) this.slots.delete(this.slots.keys().next().value as string)
      values = []
      this.slots.set(slot, values)
    }
    values.push(formsOf(value))
    const limit = Math.min(Math.max(1, Math.floor(keep)), MAX_KEEP)
    if (values.length > limit) values.splice(0, values.length - limit)
  }
}

/** A new, empty scope, registered with the redactor for as long as the caller holds it. */
export function createSecretScope(): SecretScope {
  const scope = new Scope()
  const ref = new WeakRef(scope)
  scopes.add(ref)
  finalizer.register(scope, ref)
  return scope
}

/** The forms a server may echo a value in: as sent, URL-encoded (a form body), JSON-escaped. */
function formsOf(value: string): string[] {
  const forms = [value]
  const encoded = encodeURIComponent(value)
  if (encoded !== value) forms.push(encoded)
  const escaped = JSON.stringify(value).slice(1, -1)
  if (escaped !== value) forms.push(escaped)
  return forms
}

/**
 * `text` with every registered secret replaced by `replacement`. One `includes` per live
 * secret: a client holds a few dozen at most, so this stays cheap on every error path.
 */
export function scrubSecrets(text: string, replacement: string): string {
  if (scopes.size === 0 || text.length < MIN_SECRET_LENGTH) return text
  let result = text
  for (const ref of scopes) {
    const scope = ref.deref()
    if (scope === undefined) continue
    for (const values of scope.slots.values()) {
      for (const forms of values) {
        for (const form of forms) {
          if (result.includes(form)) result = result.replaceAll(form, replacement)
        }
      }
    }
  }
  return result
}

/** True when `text` holds a registered secret (for object keys, which are rarely scrubbed). */
export function holdsSecret(text: string): boolean {
  return scrubSecrets(text, '') !== text
}
