/**
 * Money as integer minor units (pence, cents). Amounts cross the wire as decimal
 * strings; converting through binary floats would turn "0.10" + "0.20" into
 * "0.30000000000000004", so nothing here ever does.
 */
export interface ParsedAmount {
  minor: number
  /** ISO 4217 code when the text named a currency. */
  currency?: string
}

const symbols: Record<string, string> = { '£': 'GBP', '€': 'EUR', $: 'USD' }
const symbolByCurrency: Record<string, string> = { GBP: '£', EUR: '€', USD: '$' }
const maxMinor = 1_000_000_000_00

const amountPattern =
  /^(?:(?<symbol>[£€$])\s*|(?<prefixCode>[A-Za-z]{3})\s+)?(?<units>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<fraction>\d{1,2}))?(?:\s*(?<suffixCode>[A-Za-z]{3}))?$/

/** Parses "£500", "500", "12.50 GBP", "GBP 12.50", "€20", "1,250.5"; undefined when it is not an amount. */
export function parseAmount(text: string): ParsedAmount | undefined {
  const match = amountPattern.exec(text.trim())
  if (!match?.groups) return undefined
  const { symbol, prefixCode, units, fraction, suffixCode } = match.groups
  const codes = [symbol ? symbols[symbol] : undefined, prefixCode, suffixCode]
    .filter((code): code is string => code !== undefined)
    .map((code) => code.toUpperCase())
  if (new Set(codes).size > 1) return undefined
  const minor = Number((units ?? '').replaceAll(',', '')) * 100 + Number((fraction ?? '').padEnd(2, '0'))
  if (!Number.isSafeInteger(minor) || minor <= 0 || minor > maxMinor) return undefined
  return codes[0] === undefined ? { minor } : { minor, currency: codes[0] }
}

/** Parses a wire decimal string such as "1000.00" (at most two decimals); throws on anything else. */
export function parseDecimalAmount(value: string, name: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(value)
  const minor = match ? Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')) : Number.NaN
  if (!Number.isSafeInteger(minor)) {
    throw new TypeError(
      `${name} must be a decimal string with at most two decimals, like "1000.00"; got "${value}"`,
    )
  }
  return minor
}

/** 150000 → "1500.00" (the wire form). */
export function formatMinorUnits(minor: number): string {
  const sign = minor < 0 ? '-' : ''
  const absolute = Math.abs(minor)
  return `${sign}${Math.trunc(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`
}

/** 150000, "GBP" → "£1,500.00" (for people). */
export function formatMoney(minor: number, currency: string): string {
  const [units = '0', fraction = '00'] = formatMinorUnits(Math.abs(minor)).split('.')
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const symbol = symbolByCurrency[currency]
  const sign = minor < 0 ? '-' : ''
  return symbol ? `${sign}${symbol}${grouped}.${fraction}` : `${sign}${grouped}.${fraction} ${currency}`
}
