import { type Figure, figure } from './statistics.ts'

/** One round's measurements of one subject, e.g. `{ latencyMs, perSecond }`. */
export type RoundMetrics = Record<string, number>

export interface Subject<M extends RoundMetrics> {
  name: string
  round: () => Promise<M>
}

export interface CompareOptions<M extends RoundMetrics> {
  rounds: number
  warmupRounds: number
  sdk: Subject<M>
  floor: Subject<M>
  /** Per metric, whether a higher value is better (throughput) or worse (latency). */
  higherIsBetter: Record<keyof M, boolean>
}

export interface Comparison<M extends RoundMetrics> {
  sdk: Record<keyof M, Figure>
  floor: Record<keyof M, Figure>
  /**
   * Per metric, the SDK's cost relative to the floor, paired round by round: latency
   * sdk/floor, throughput floor/sdk. 1.00 is parity, 1.10 is 10 % slower.
   */
  cost: Record<keyof M, Figure>
}

/**
 * The fixed method every comparison uses: warm-up rounds (discarded), then rounds in which
 * the SDK and its floor run back to back, alternating which goes first so drift of a
 * shared, noisy machine falls on both. Figures are medians with their range over rounds.
 */
export async function compareRounds<M extends RoundMetrics>(
  options: CompareOptions<M>,
): Promise<Comparison<M>> {
  const { floor, subjects } = await compareSubjects({ ...options, subjects: [options.sdk] })
  const [sdk] = subjects as [SubjectResult<M>]
  return { sdk: sdk.figures, floor, cost: sdk.cost }
}

export interface CompareSubjectsOptions<M extends RoundMetrics> {
  rounds: number
  warmupRounds: number
  floor: Subject<M>
  subjects: readonly Subject<M>[]
  higherIsBetter: Record<keyof M, boolean>
}

export interface SubjectResult<M extends RoundMetrics> {
  name: string
  figures: Record<keyof M, Figure>
  /** Paired with the floor's run of the same round; see `Comparison.cost`. */
  cost: Record<keyof M, Figure>
  /** Each round's metrics, in round order, to pair two subjects with each other. */
  rounds: M[]
}

/**
 * `compareRounds` for several subjects against one floor: each round runs the floor and every
 * subject back to back, the order rotating by one each round, so every subject's ratio is
 * paired with a floor run a moment away on the same machine.
 */
export async function compareSubjects<M extends RoundMetrics>(
  options: CompareSubjectsOptions<M>,
): Promise<{ floor: Record<keyof M, Figure>; subjects: SubjectResult<M>[] }> {
  const all = [...options.subjects, options.floor]
  for (let round = 0; round < options.warmupRounds; round++) {
    for (const subject of all) await subject.round()
  }
  const measured: M[][] = all.map(() => [])
  for (let round = 0; round < options.rounds; round++) {
    for (let turn = 0; turn < all.length; turn++) {
      const index = (turn + round) % all.length
      measured[index]?.push(await (all[index] as Subject<M>).round())
    }
  }
  const metrics = Object.keys(options.higherIsBetter) as (keyof M)[]
  const perMetric = (compute: (metric: keyof M) => Figure) =>
    Object.fromEntries(metrics.map((metric) => [metric, compute(metric)])) as Record<keyof M, Figure>
  const collect = (rounds: M[]) =>
    perMetric((metric) => figure(rounds.map((round) => round[metric] as number)))
  const floorRounds = measured[all.length - 1] as M[]
  return {
    floor: collect(floorRounds),
    subjects: options.subjects.map((subject, index) => {
      const rounds = measured[index] as M[]
      return {
        name: subject.name,
        figures: collect(rounds),
        rounds,
        cost: perMetric((metric) =>
          figure(
            rounds.map((value, round) => {
              const sdkValue = value[metric] as number
              const floorValue = (floorRounds[round] as M)[metric] as number
              return options.higherIsBetter[metric] ? floorValue / sdkValue : sdkValue / floorValue
            }),
          ),
        ),
      }
    }),
  }
}

/** Latency and throughput of `count` calls, `concurrency` at a time. */
export async function timeCalls(
  call: () => Promise<unknown>,
  count: number,
  concurrency: number,
): Promise<{ latencyMs: number; perSecond: number }> {
  const latencies: number[] = new Array(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next++
      const started = performance.now()
      await call()
      latencies[index] = performance.now() - started
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  const elapsed = performance.now() - started
  latencies.sort((a, b) => a - b)
  return { latencyMs: latencies[Math.floor(count / 2)] ?? Number.NaN, perSecond: (count / elapsed) * 1000 }
}

export type CallComparison = Comparison<{ latencyMs: number; perSecond: number }>

/** How many rounds and calls the request benchmarks make in each mode. */
export function callPlan(quick: boolean): {
  rounds: number
  sequentialCount: number
  concurrentCount: number
} {
  return quick
    ? { rounds: 5, sequentialCount: 150, concurrentCount: 640 }
    : { rounds: 9, sequentialCount: 500, concurrentCount: 3200 }
}

/**
 * The request benchmarks' procedure: the same call through the SDK and through its floor,
 * first one at a time, then 64 in flight, with the round counts of the chosen mode.
 */
export async function compareCalls(options: {
  quick: boolean
  sdk: { name: string; call: () => Promise<unknown> }
  floor: { name: string; call: () => Promise<unknown> }
}): Promise<{ sequential: CallComparison; concurrent: CallComparison }> {
  const { rounds, sequentialCount, concurrentCount } = callPlan(options.quick)
  const higherIsBetter = { latencyMs: false, perSecond: true }
  const compare = (count: number, concurrency: number) =>
    compareRounds({
      rounds,
      warmupRounds: 1,
      higherIsBetter,
      sdk: { name: options.sdk.name, round: () => timeCalls(options.sdk.call, count, concurrency) },
      floor: { name: options.floor.name, round: () => timeCalls(options.floor.call, count, concurrency) },
    })
  const sequential = await compare(sequentialCount, 1)
  const concurrent = await compare(concurrentCount, 64)
  return { sequential, concurrent }
}
