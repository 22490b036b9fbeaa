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

// Every registered form, counted (two scopes may hold one value), grouped by its first
// MIN_SECRET_LENGTH characters so a text is searched in one pass whatever the number of secrets.
const forms = new Map<string, Map<string, number>>()
// The first two characters of every prefix, so most positions of a text are passed over
// without building a string.
const firstPairs = new Map<number, number>()
let formCount = 0
// Below this many forms (about five clients) one `includes` per form beats walking the text.
const INDEX_THRESHOLD = 160

const pairAt = (text: string, index: number) => (text.charCodeAt(index) << 16) | text.charCodeAt(index + 1)

function addForm(form: string): void {
  const prefix = form.slice(0, MIN_SECRET_LENGTH)
  let bucket = forms.get(prefix)
  if (bucket === undefined) {
    bucket = new Map()
    forms.set(prefix, bucket)
    const pair = pairAt(prefix, 0)
    firstPairs.set(pair, (firstPairs.get(pair) ?? 0) + 1)
  }
  bucket.set(form, (bucket.get(form) ?? 0) + 1)
  formCount++
}

function removeForm(form: string): void {
  const prefix = form.slice(0, MIN_SECRET_LENGTH)
  const bucket = forms.get(prefix)
  const count = bucket?.get(form)
  if (bucket === undefined || count === undefined) return
  if (count > 1) bucket.set(form, count - 1)
  else bucket.delete(form)
  if (bucket.size === 0) {
    forms.delete(prefix)
    const pair = pairAt(prefix, 0)
    const pairs = firstPairs.get(pair) ?? 1
    if (pairs > 1) firstPairs.set(pair, pairs - 1)
    else firstPairs.delete(pair)
  }
  formCount--
}

type Slots = Map<string, string[][]>

// A scope nobody holds any more (its client was dropped) takes its values out of the index.
const finalizer = new FinalizationRegistry<Slots>((slots) => {
  for (const values of slots.values()) for (const value of values) for (const form of value) removeForm(form)
})

class Scope implements SecretScope {
  // slot → the forms of its latest values (raw, URL-encoded, JSON-escaped), newest last.
  readonly #slots: Slots = new Map()

  constructor() {
    finalizer.register(this, this.#slots)
  }

  add(value: string | undefined | null, slot = 'fixed', keep = 4): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return
    let values = this.#slots.get(slot)
    if (values?.some((held) => held[0] === value)) return
    if (values === undefined) {
      if (this.#slots.size >= MAX_SLOTS) {
        const [oldest, dropped] = this.#slots.entries().next().value as [string, string[][]]
        this.#slots.delete(oldest)
        for (const held of dropped) for (const form of held) removeForm(form)
      }
      values = []
      this.#slots.set(slot, values)
    }
    const added = formsOf(value)
    values.push(added)
    for (const form of added) addForm(form)
    const limit = Math.min(Math.max(1, Math.floor(keep)), MAX_KEEP)
    for (const evicted of values.splice(0, Math.max(0, values.length - limit))) {
      for (const form of evicted) removeForm(form)
    }
  }
}

/** A new, empty scope, registered with the redactor for as long as the caller holds it. */
export function createSecretScope(): SecretScope {
  return new Scope()
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
 * `text` with every registered secret replaced by `replacement`. With few secrets (one or
 * two clients) one `includes` per form; with many, one pass over the text looking each
 * position's prefix up in the index, so the cost does not grow with the number of clients.
 */
export function scrubSecrets(text: string, replacement: string): string {
  if (formCount === 0 || text.length < MIN_SECRET_LENGTH) return text
  const found: string[] = []
  if (formCount <= INDEX_THRESHOLD) {
    for (const bucket of forms.values())
      for (const form of bucket.keys()) if (text.includes(form)) found.push(form)
  } else {
    for (let index = 0; index <= text.length - MIN_SECRET_LENGTH; index++) {
      if (!firstPairs.has(pairAt(text, index))) continue
      const bucket = forms.get(text.slice(index, index + MIN_SECRET_LENGTH))
      if (bucket === undefined) continue
      for (const form of bucket.keys()) if (text.startsWith(form, index)) found.push(form)
    }
  }
  if (found.length === 0) return text
  // Longest first: a secret containing another (`agent:secret` and `secret`) goes whole.
  found.sort((a, b) => b.length - a.length)
  let result = text
  for (const form of found) result = result.replaceAll(form, replacement)
  return result
}

/** True when `text` holds a registered secret (for object keys, which are rarely scrubbed). */
export function holdsSecret(text: string): boolean {
  return scrubSecrets(text, '') !== text
}
