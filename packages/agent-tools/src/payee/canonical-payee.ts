import unhomoglyph from 'unhomoglyph'
import { AgentToolsError } from '../errors.js'

/**
 * A payee name in its one canonical form: what a person reads, what the policy is asked about,
 * and what the payment agent is told to pay are the same payee.
 */
export interface CanonicalPayee {
  /** The name as it is shown and paid: NFKC (full-width letters become ASCII), spaces collapsed. */
  readonly name: string
  /**
   * The identity: look-alikes folded (UTS #39 confusables), lower case, every run of spaces and
   * punctuation one `-`. `"Globex Holdings"`, `"GLOBEX  holdings."` and `"Ｇｌｏｂｅｘ Holdings"` are all
   * `globex-holdings`. Compare payees by this key, never by `name`.
   */
  readonly key: string
  /** The Relynt resource the payment is authorised on: `ralio:payee:<key>`. */
  readonly resource: string
}

/** Thrown by {@link canonicalPayee} and {@link canonicalText}: `code` is `invalid_text`. */
export class InvalidTextError extends AgentToolsError {
  static override readonly brand: symbol = Symbol.for('x.error.InvalidTextError')
}

/** The longest payee name or reference, after NFKC: a length a person can read in an approval. */
export const MAX_TEXT_LENGTH = 140

// Characters that a person cannot see, or that start a new line for whoever reads the text next:
// refused, not stripped, so the spelling that was authorised is the spelling that is paid.
const refusedCharacter = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u

/**
 * Why `text` may not be a payee name or a payment reference, or undefined when it may. The
 * character rules: no control, format (U+200B, U+00AD, U+2060…), default-ignorable, private-use
 * or unassigned characters and no line or paragraph separators (U+2028, U+2029); at most
 * {@link MAX_TEXT_LENGTH} characters after NFKC. Payee names are checked further by
 * {@link canonicalPayee}.
 */
export function textProblem(text: string, field = 'text'): string | undefined {
  if (typeof text !== 'string') return `${field} must be a string`
  for (const character of text) {
    if (refusedCharacter.test(character)) {
      return `${field} contains ${describeCharacter(character)}, which ${characterKind(character)}; remove it and send the text as a person reads it`
    }
  }
  const normalised = text.normalize('NFKC').trim()
  if (normalised === '') return `${field} is empty`
  if ([...normalised].length > MAX_TEXT_LENGTH) {
    return `${field} is longer than ${MAX_TEXT_LENGTH} characters`
  }
  return undefined
}

/**
 * A payment reference (or any text given to the payment agent) in its checked form: NFKC,
 * spaces collapsed. Throws {@link InvalidTextError} for the characters {@link textProblem} refuses.
 */
export function canonicalText(text: string, field = 'text'): string {
  const problem = textProblem(text, field)
  if (problem !== undefined) throw invalidText(problem)
  return collapseSpaces(text.normalize('NFKC'))
}

/** Why `name` cannot be a payee, or undefined when {@link canonicalPayee} accepts it. */
export function payeeProblem(name: string, field = 'payee'): string | undefined {
  const problem = textProblem(name, field)
  if (problem !== undefined) return problem
  const normalised = collapseSpaces(name.normalize('NFKC'))
  return (
    strayMarkProblem(normalised, field) ??
    mixedScriptProblem(normalised, field) ??
    emptyKeyProblem(normalised, field)
  )
}

/**
 * The one identity of a payee name. Every spelling a person reads as "Globex Holdings" — other
 * case, spacing or punctuation, full-width letters, look-alike letters of another script — either
 * becomes `ralio:payee:globex-holdings` or is refused with an {@link InvalidTextError} saying why:
 *
 * - invisible and line-breaking characters (U+200B, U+00AD, U+2060, U+2028…) are refused;
 * - NFKC folds compatibility forms (`Ｇｌｏｂｅｘ` → `Globex`, `ﬁ` → `fi`);
 * - a combining mark left after NFKC on a Latin, Greek, Cyrillic or common character (one that
 *   does not compose into its letter, e.g. U+0334 over `o`) is refused; marks of scripts that
 *   need them (Devanagari vowel signs, Arabic harakat…) are kept;
 * - a name mixing scripts is refused, except the combinations UTS #39 "highly restrictive"
 *   allows (Latin + Han + Hiragana + Katakana, Latin + Han + Bopomofo, Latin + Han + Hangul);
 * - the remaining non-ASCII look-alikes are folded with the UTS #39 confusables table
 *   (a name written wholly in Cyrillic look-alikes of Latin letters gets the Latin key).
 *
 * ```ts
 * canonicalPayee('Ｇｌｏｂｅｘ  Holdings.').resource // 'ralio:payee:globex-holdings'
 * ```
 */
export function canonicalPayee(name: string): CanonicalPayee {
  const problem = payeeProblem(name)
  if (problem !== undefined) throw invalidText(problem)
  const display = collapseSpaces(name.normalize('NFKC'))
  const key = payeeKey(display)
  return { name: display, key, resource: `ralio:payee:${key}` }
}

function payeeKey(display: string): string {
  return foldWholeScriptConfusables(stripDiacritics(display.toLowerCase()))
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
}

// `Société` and `Societe` are one payee to a person reading a statement (and to many banks,
// whose references are ASCII): the key drops the accents of Latin, Greek and Cyrillic letters.
function stripDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(markAfter, (whole, base: string) => (decoratedScripts.test(base) ? base : whole))
    .replace(markAfter, (whole, base: string) => (decoratedScripts.test(base) ? base : whole))
    .normalize('NFC')
}

// A name written wholly in letters that look Latin (Cyrillic `Ѕсоре`) gets the Latin key
// (`scope`) through the UTS #39 confusables table. Names that are really in another script keep
// their own letters: folding `カ` to Han `力` would only make the key unreadable. ASCII is never
// mapped (the table turns `m` into `rn`, which would make every key unreadable to the person
// writing policy rules).
function foldWholeScriptConfusables(text: string): string {
  let folded = ''
  for (const character of text) {
    if (character.codePointAt(0)! < 0x80 || !/\p{L}/u.test(character)) {
      folded += character
      continue
    }
    const prototype = unhomoglyph(character)
    if (!/^[\x20-\x7e]+$/.test(prototype)) return text
    folded += prototype
  }
  return folded
}

function collapseSpaces(text: string): string {
  return text.replace(/\s+/gu, ' ').trim()
}

function emptyKeyProblem(display: string, field: string): string | undefined {
  return payeeKey(display) === '' ? `${field} has no letters or digits` : undefined
}

const markAfter = /(?<base>\P{M})(?<mark>\p{M}+)/gu
const decoratedScripts = /[\p{scx=Latn}\p{scx=Grek}\p{scx=Cyrl}\p{scx=Zyyy}]/u

// NFC composes every mark that has a precomposed letter in Latin, Greek and Cyrillic; a mark
// still standing after one of them decorates the letter without changing what is read.
function strayMarkProblem(display: string, field: string): string | undefined {
  for (const match of display.matchAll(markAfter)) {
    const { base, mark } = match.groups as { base: string; mark: string }
    if (decoratedScripts.test(base) && !/\p{M}/u.test(base)) {
      return `${field} has the combining mark ${describeCharacter(mark)} on "${base}", which does not compose into one letter; write the letter without it (or precomposed)`
    }
  }
  return undefined
}

// ISO 15924 codes of the scripts the regular-expression engine knows (filtered below, so a
// runtime with older Unicode data drops the newer ones instead of failing to load).
const scriptCodes = (
  'Adlm Aghb Ahom Arab Armi Armn Avst Bali Bamu Bass Batk Beng Bhks Bopo Brah Brai Bugi Buhd Cakm Cans ' +
  'Cari Cham Cher Chrs Copt Cpmn Cprt Cyrl Deva Diak Dogr Dsrt Dupl Egyp Elba Elym Ethi Gara Geor Glag ' +
  'Gong Gonm Goth Gran Grek Gujr Gukh Guru Hang Hani Hano Hatr Hebr Hira Hluw Hmng Hmnp Hung Ital Java ' +
  'Kali Kana Kawi Khar Khmr Khoj Kits Knda Krai Kthi Lana Laoo Latn Lepc Limb Lina Linb Lisu Lyci Lydi ' +
  'Mahj Maka Mand Mani Marc Medf Mend Merc Mero Mlym Modi Mong Mroo Mtei Mult Mymr Nagm Nand Narb Nbat ' +
  'Newa Nkoo Nshu Ogam Olck Onao Orkh Orya Osge Osma Ougr Palm Pauc Perm Phag Phli Phlp Phnx Plrd Prti ' +
  'Rjng Rohg Runr Samr Sarb Saur Sgnw Shaw Shrd Sidd Sidt Sind Sinh Sogd Sogo Sora Soyo Sund Sunu Sylo ' +
  'Syrc Tagb Takr Tale Talu Taml Tang Tavt Tayo Telu Tfng Tglg Thaa Thai Tibt Tirh Tnsa Todr Tols Toto ' +
  'Tutg Ugar Vaii Vith Wara Wcho Xpeo Xsux Yezi Yiii Zanb'
)
  .split(' ')
  .flatMap((code) => {
    try {
      return [{ code, pattern: new RegExp(`\\p{scx=${code}}`, 'u') }]
    } catch {
      return []
    }
  })

const scriptNames: Record<string, string> = {
  Latn: 'Latin',
  Cyrl: 'Cyrillic',
  Grek: 'Greek',
  Hani: 'Han',
  Hira: 'Hiragana',
  Kana: 'Katakana',
  Hang: 'Hangul',
  Bopo: 'Bopomofo',
  Arab: 'Arabic',
  Hebr: 'Hebrew',
  Armn: 'Armenian',
  Geor: 'Georgian',
  Cher: 'Cherokee',
  Deva: 'Devanagari',
  Thai: 'Thai',
}

// UTS #39 §5.2 "highly restrictive": one script, or one of these sets covers every character.
const highlyRestrictiveSets = [
  new Set(['Latn', 'Hani', 'Hira', 'Kana']),
  new Set(['Latn', 'Hani', 'Bopo']),
  new Set(['Latn', 'Hani', 'Hang']),
]

const scriptsByCodePoint = new Map<number, readonly string[]>()
const commonOrInherited = /[\p{scx=Zyyy}\p{scx=Zinh}]/u

/** The scripts a character is used with (Script_Extensions); empty for common and inherited ones. */
function scriptsOf(character: string): readonly string[] {
  const codePoint = character.codePointAt(0)!
  let scripts = scriptsByCodePoint.get(codePoint)
  if (scripts === undefined) {
    scripts = commonOrInherited.test(character)
      ? []
      : scriptCodes.filter(({ pattern }) => pattern.test(character)).map(({ code }) => code)
    // A character of a script this runtime cannot name is its own script: never mixed silently.
    if (scripts.length === 0 && !commonOrInherited.test(character) && /\p{L}/u.test(character)) {
      scripts = [`U+${hex(codePoint)}`]
    }
    scriptsByCodePoint.set(codePoint, scripts)
  }
  return scripts
}

function mixedScriptProblem(display: string, field: string): string | undefined {
  const perCharacter: { character: string; scripts: readonly string[] }[] = []
  let resolved: Set<string> | undefined
  for (const character of display) {
    const scripts = scriptsOf(character)
    if (scripts.length === 0) continue
    perCharacter.push({ character, scripts })
    resolved =
      resolved === undefined ? new Set(scripts) : new Set(scripts.filter((script) => resolved!.has(script)))
  }
  if (resolved === undefined || resolved.size > 0) return undefined
  const covered = highlyRestrictiveSets.some((allowed) =>
    perCharacter.every(({ scripts }) => scripts.some((script) => allowed.has(script))),
  )
  if (covered) return undefined
  const first = perCharacter[0]!
  const other = perCharacter.find(({ scripts }) => !scripts.some((script) => first.scripts.includes(script)))!
  return (
    `${field} mixes scripts: "${first.character}" is ${scriptName(first.scripts)} but ` +
    `${describeCharacter(other.character)} is ${scriptName(other.scripts)}; a name in one script ` +
    '(or Latin with Han and Kana, Bopomofo or Hangul) is accepted, so write it with the letters a person reads'
  )
}

function scriptName(scripts: readonly string[]): string {
  return scripts.map((script) => scriptNames[script] ?? script).join('/')
}

function hex(codePoint: number): string {
  return codePoint.toString(16).toUpperCase().padStart(4, '0')
}

/** `U+200B`, with the character itself when it is visible. */
function describeCharacter(character: string): string {
  const code = `U+${hex(character.codePointAt(0)!)}`
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(character) ? `"${character}" (${code})` : code
}

function characterKind(character: string): string {
  if (/[\p{Zl}\p{Zp}]/u.test(character)) return 'is a line or paragraph separator'
  if (/\p{Cc}/u.test(character)) return 'is a control character'
  if (/[\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(character)) return 'is invisible (a format character)'
  if (/\p{Co}/u.test(character)) return 'is a private-use character'
  return 'is not an assigned character'
}

function invalidText(message: string): InvalidTextError {
  return new InvalidTextError(`${message}.`, { code: 'invalid_text' })
}
