import { visibleText } from '@x/core/internal/terminal'
import type { Colors } from './colors.js'

/**
 * Aligned columns with a dimmed heading; cells are single lines, and what a server sent in
 * them is shown with its control characters made visible.
 */
export function renderTable<T>(
  columns: readonly (readonly [heading: string, cell: (item: T) => string])[],
  items: readonly T[],
  color: Colors,
): string {
  const cells = items.map((item) =>
    columns.map(([, cell]) => visibleText(cell(item).replace(/[ \t\r\n]+/g, ' '))),
  )
  const widths = columns.map(([heading], index) =>
    Math.max(heading.length, ...cells.map((row) => row[index]!.length)),
  )
  const line = (row: string[]) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd()
  return [color.dim(line(columns.map(([heading]) => heading))), ...cells.map(line)].join('\n')
}
