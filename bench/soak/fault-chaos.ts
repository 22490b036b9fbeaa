import type { FaultRule } from '@x/sandbox'

/** Anything that takes fault rules: either sandbox's handle. */
export interface FaultTarget {
  injectFault(rule: FaultRule): string
  clearFaults(): void
}

/** Per route, the faults it may suffer; `null` is a quiet spell. */
export type FaultMenu = Record<string, (Omit<FaultRule, 'route' | 'count'> | null)[]>

export interface FaultChaos {
  /** How many times each fault kind was put in force, by route. */
  readonly schedule: Map<string, number>
  stop(): void
}

/**
 * Faults at random: every `intervalMs` each route gets one fault from its menu (or none).
 * The sandbox applies a route's first matching rule only, with that rule's probability,
 * so rotating the rules is what lets one route see every kind of failure over a run.
 */
export function startFaultChaos(target: FaultTarget, menu: FaultMenu, intervalMs: number): FaultChaos {
  const schedule = new Map<string, number>()
  const shuffle = () => {
    target.clearFaults()
    for (const [route, choices] of Object.entries(menu)) {
      const choice = choices[Math.floor(Math.random() * choices.length)]
      if (choice === null || choice === undefined) continue
      target.injectFault({ route, count: 1_000_000, ...choice })
      const kind = `${route} → ${describeFault(choice)}`
      schedule.set(kind, (schedule.get(kind) ?? 0) + 1)
    }
  }
  shuffle()
  const timer = setInterval(shuffle, intervalMs)
  return {
    schedule,
    stop() {
      clearInterval(timer)
      target.clearFaults()
    },
  }
}

function describeFault(rule: Omit<FaultRule, 'route' | 'count'>): string {
  const what =
    rule.cutStreamAfterEvents !== undefined
      ? `cut after ${rule.cutStreamAfterEvents} events`
      : rule.dropConnection
        ? 'dropped connection'
        : `${rule.status}${rule.headers?.['retry-after'] ? ` Retry-After ${rule.headers['retry-after']}` : ''}`
  return `${what}${rule.after ? ' after the work' : ''} (p=${rule.probability ?? 1})`
}
