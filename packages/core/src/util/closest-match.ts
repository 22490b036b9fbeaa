/**
 * The candidate `input` was most likely meant to be, for a "did you mean …?": the nearest by
 * edit distance (a swap of two neighbouring letters counts as one edit, so `reciepts` finds
 * `receipts`), or one that `input` is the start of. Undefined when nothing is close enough
 * to be a plausible typo.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const typed = input.toLowerCase()
  const allowed = Math.max(1, Math.floor(typed.length / 3))
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase()
    // `--per` for `--per-page`: a prefix is as good as one edit.
    const distance = typed.length >= 3 && lower.startsWith(typed) ? 1 : editDistance(typed, lower)
    if (distance <= allowed && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Number.POSITIVE_INFINITY
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, rows[i - 2]![j - 2]! + 1)
      }
      rows[i]![j] = value
    }
  }
  return rows[a.length]![b.length]!
}
