/** The value at quantile `q` (0..1) of `values`, linearly interpolated. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.ceil(position)
  const low = sorted[below] ?? Number.NaN
  const high = sorted[above] ?? Number.NaN
  return low + (high - low) * (position - below)
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

/** A figure measured over several rounds: the median and the range it came from. */
export interface Figure {
  median: number
  min: number
  max: number
  rounds: number
}

export function figure(values: readonly number[]): Figure {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    rounds: values.length,
  }
}

/** `1.23 (1.10–1.40)` with `digits` decimals; the range is over rounds. */
export function formatFigure(value: Figure, digits = 2, unit = ''): string {
  const format = (n: number) => n.toFixed(digits)
  return `${format(value.median)}${unit} (${format(value.min)}–${format(value.max)})`
}
