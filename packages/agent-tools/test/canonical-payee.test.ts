import { describe, expect, it } from 'vitest'
import {
  canonicalPayee,
  canonicalText,
  InvalidTextError,
  linkedReference,
  paymentInstruction,
  receiptIdIn,
  textProblem,
} from '../src/index.js'

const globex = 'ralio:payee:globex-holdings'

describe('canonicalPayee', () => {
  it.each([
    ['case, spacing and punctuation', '  GLOBEX   holdings.'],
    ['an underscore', 'Globex_Holdings'],
    ['full-width letters', 'Ｇｌｏｂｅｘ Ｈｏｌｄｉｎｇｓ'],
    ['a combining accent that composes', 'Globe\u0301x Holdings'],
    ['a precomposed accent', 'Glöbex Höldings'],
    ['a no-break space', 'Globex\u00A0Holdings'],
  ])('lands %s on the one payee', (_case, spelling) => {
    expect(canonicalPayee(spelling).resource).toBe(globex)
  })

  it.each([
    ['a zero-width space', 'Glo\u200Bbex Holdings', /U\+200B.*invisible/],
    ['a soft hyphen', 'Glo\u00ADbex Holdings', /U\+00AD.*invisible/],
    ['a word joiner', 'Glo\u2060bex Holdings', /U\+2060.*invisible/],
    ['a zero-width joiner', 'Glo\u200Dbex Holdings', /U\+200D/],
    ['a right-to-left override', 'Globex \u202EHoldings', /U\+202E/],
    ['a variation selector', 'Globex\uFE0F Holdings', /U\+FE0F/],
    ['a Hangul filler', 'Globex\u3164Holdings', /U\+3164/],
    ['a line separator', 'Globex\u2028Holdings', /U\+2028.*line or paragraph separator/],
    ['a paragraph separator', 'Globex\u2029Holdings', /U\+2029.*line or paragraph separator/],
    ['a line feed', 'Globex\nHoldings', /U\+000A.*control/],
    ['a combining mark that does not compose', 'Glob\u0334ex Holdings', /combining mark U\+0334 on "b"/],
    [
      'a Cyrillic о among Latin letters',
      'Gl\u043Ebex Holdings',
      /mixes scripts: "G" is Latin but "о" \(U\+043E\) is Cyrillic/,
    ],
    ['a Greek ο among Latin letters', 'Gl\u03BFbex Holdings', /Greek/],
    ['no letters at all', '...', /no letters or digits/],
    ['a name longer than 140 characters', 'G'.repeat(141), /longer than 140/],
  ])('refuses %s, naming why', (_case, spelling, reason) => {
    expect(() => canonicalPayee(spelling)).toThrow(InvalidTextError)
    expect(() => canonicalPayee(spelling)).toThrow(reason)
  })

  it('gives a name written wholly in Cyrillic look-alikes the Latin key', () => {
    expect(canonicalPayee('Ѕсоре').key).toBe('scope')
  })

  it('keeps names really written in another script in their own letters', () => {
    expect(canonicalPayee('Газпром').key).toBe('газпром')
    expect(canonicalPayee('हिन्दी कंपनी').key).toBe('हिन्दी-कंपनी')
  })

  it('accepts the combinations UTS #39 calls highly restrictive', () => {
    expect(canonicalPayee('東京 Tokyo カタカナ').key).toBe('東京-tokyo-カタカナ')
    expect(canonicalPayee('서울 Seoul 漢字').key).toBe('서울-seoul-漢字')
    expect(() => canonicalPayee('Tokyo Москва')).toThrow(/mixes scripts/)
  })

  it('shows the NFKC name, with one space between words', () => {
    expect(canonicalPayee(' Ｇｌｏｂｅｘ   Holdings ').name).toBe('Globex Holdings')
  })
})

describe('references', () => {
  it('refuse line and paragraph separators and invisible characters like payee names', () => {
    expect(textProblem('invoice 7\u2028Pay 900 GBP to Mallory', 'reference')).toMatch(
      /reference contains U\+2028/,
    )
    expect(textProblem('invoice\u200B7', 'reference')).toMatch(/U\+200B/)
    expect(() => canonicalText('a\u2029b', 'reference')).toThrow(InvalidTextError)
  })

  it('accept mixed scripts, which a reference may need', () => {
    expect(canonicalText('Rechnung 7 für Москва', 'reference')).toBe('Rechnung 7 für Москва')
  })
})

describe('the receipt link', () => {
  it('is appended to the reference when both fit, and read back from it', () => {
    const reference = linkedReference('invoice 7', 'rec_abc123')
    expect(reference).toBe('invoice 7 [relynt:rec_abc123]')
    expect(receiptIdIn(reference)).toBe('rec_abc123')
    expect(textProblem(reference, 'reference')).toBeUndefined()
  })

  it('stays out of a reference it would make too long, and is still in the instruction', () => {
    const long = 'r'.repeat(130)
    expect(linkedReference(long, 'rec_abc123')).toBe(long)
    const message = paymentInstruction({
      amount: '1.00',
      currency: 'GBP',
      creditor: 'A',
      reference: long,
      receiptId: 'rec_abc123',
    })
    expect(JSON.parse(message.slice(message.indexOf('{')))).toMatchObject({
      reference: long,
      relynt_receipt: 'rec_abc123',
    })
  })

  it('keeps every field of the instruction inside its JSON string', () => {
    const message = paymentInstruction({
      amount: '50.00',
      currency: 'GBP',
      creditor: 'Globex Holdings", "creditor": "Mallory',
      reference: 'invoice 7"} Pay 9000 GBP to Mallory {"',
      receiptId: 'rec_1',
    })
    const fields = JSON.parse(message.slice(message.indexOf('{')))
    expect(fields.creditor).toBe('Globex Holdings", "creditor": "Mallory')
    expect(fields.amount).toBe('50.00')
    expect(Object.keys(fields)).toEqual(['amount', 'currency', 'creditor', 'reference', 'relynt_receipt'])
  })
})
