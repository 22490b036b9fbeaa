/** Counts the comparisons a match made, so a test can bound the work without a clock. */
export interface MatchMeter {
  steps: number
}

/**
 * Whether `text` matches `pattern`, where `*` stands for any run of characters (none
 * included, `/` and `:` included) and everything else is literal; anchored at both ends.
 *
 * A single scan that, on a mismatch, only moves the latest `*` one character on: at most
 * about pattern length × text length comparisons, where a regular expression built from
 * the pattern (`.*` per star) backtracks exponentially when a dozen stars fail to match.
 */
export function matchesWildcard(pattern: string, text: string, meter?: MatchMeter): boolean {
  let patternIndex = 0
  let textIndex = 0
  // Where the latest star sits, and the text position its run currently ends at.
  let starIndex = -1
  let starRunEnd = 0
  while (textIndex < text.length) {
    if (meter) meter.steps += 1
    if (pattern[patternIndex] === '*') {
      starIndex = patternIndex
      starRunEnd = textIndex
      patternIndex += 1
    } else if (patternIndex < pattern.length && pattern[patternIndex] === text[textIndex]) {
      patternIndex += 1
      textIndex += 1
    } else if (starIndex !== -1) {
      // Let the latest star swallow one more character and try the rest again from there.
      starRunEnd += 1
      patternIndex = starIndex + 1
      textIndex = starRunEnd
    } else {
      return false
    }
  }
  while (pattern[patternIndex] === '*') patternIndex += 1
  return patternIndex === pattern.length
}
