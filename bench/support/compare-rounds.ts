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
  for (let round = 0; round < options.warmupRounds; round++) {
    await options.sdk.round()
    await options.floor.round()
  }
  const sdkRounds: M[] = []
  const floorRounds: M[] = []
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      sdkRounds.push(await options.sdk.round())
      floorRounds.push(await options.floor.round())
    } else {
      floorRounds.push(await options.floor.round())
      sdkRounds.push(await options.sdk.round())
    }
  }
  const metrics = Object.keys(options.higherIsBetter) as (keyof M)[]
  const collect = (rounds: M[]) =>
    Object.fromEntries(
      metrics.map((metric) => [metric, figure(rounds.map((round) => round[metric] as number))]),
    ) as Record<keyof M, Figure>
  const cost = Object.fromEntries(
    metrics.map((metric) => {
      const ratios = sdkRounds.map((sdk, index) => {
        const floor = floorRounds[index] as M
        const sdkValue = sdk[metric] as number
        const floorValue = floor[metric] as number
        return options.higherIsBetter[metric] ? floorValue / sdkValue : sdkValue / floorValue
      })
      return [metric, figure(ratios)]
    }),
  ) as Record<keyof M, Figure>
  return { sdk: collect(sdkRounds), floor: collect(floorRounds), cost }
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
