/** One target of issue #7 and how this run measured against it. */
export interface TargetCheck {
  name: string
  target: string
  measured: string
  met: boolean
  /** Why it missed, or what qualifies the figure. */
  note?: string
}

/** What one benchmark contributes to RESULTS.md. */
export interface BenchSection {
  title: string
  /** Method and figures, as Markdown. */
  markdown: string
  targets: TargetCheck[]
}

export interface BenchOptions {
  /** Fewer rounds and smaller workloads, for `pnpm bench --quick`. */
  quick: boolean
}

/** A Markdown table from a header row and body rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
