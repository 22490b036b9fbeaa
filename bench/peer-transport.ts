import { Agent, get } from 'node:http'
import { createTransport } from '@x/core/internal'
import ky from 'ky'
import OpenAI from 'openai'
import Stripe from 'stripe'
import { type BenchOptions, type BenchSection, type TargetCheck, table } from './support/bench-section.ts'
import { callPlan, compareSubjects, type SubjectResult, timeCalls } from './support/compare-rounds.ts'
import { startChildServer } from './support/sandbox-process.ts'
import { figure, formatFigure } from './support/statistics.ts'

const TARGET = 1.1
/** The transport against ky alone, which it is built on: what the transport itself adds. */
const KY_TARGET = 1.05
const KY = 'ky alone (`ky.get(url).json()`)'
const ITEMS = 20
const TRANSPORT = "`@x/core`'s transport"
/** Shown with a missed target: why, as profiled (`node --cpu-prof`) after the fixes it led to. */
const WHY =
  'profiled with an in-memory fetch (CPU per call, no network): the transport now costs what ky alone does (about ' +
  "33 µs against fetch's 12): with the runtime fetch the attempt's headers, signal and redirect mode go to fetch in " +
  "`init`, so ky merges none of them and derives no AbortSignal.any (together a third of the transport's CPU, " +
  "removed this round). What is left over fetch is ky's: a Request built from deep-merged options (one object spread " +
  'per option) and retry options normalised twice; with ky as the transport, ≤ 1.10 × fetch is out of reach on ' +
  'loopback, where a whole request takes about 0.3 ms. stripe-node talks to node:http directly, which is itself ' +
  'faster than fetch'

/** Shown with a missed transport/ky target: what the transport adds to each call over ky, as profiled. */
const KY_WHY =
  'with an in-memory fetch the transport and ky alone cost the same CPU per call, one at a time and 64 at a time ' +
  '(101 vs 105 µs in a 64-in-flight profile); what it adds is the per-attempt controller, timer and bookkeeping and ' +
  'the size-bounded read, guarantees ky alone does not give. Over loopback, 64 in flight, each round still reads a ' +
  'few per cent slower; not explained by client CPU in memory, it is left to the network path (a longer User-Agent ' +
  'to send and parse, a response held a few microtasks longer before its body is read: suspected, not proven), and ' +
  'the per-round ratios spread wider than the target'

type Metrics = { latencyMs: number; perSecond: number; cpuMicros: number }
type Mode = 'sequential' | '64 concurrent'

/**
 * One GET of a 20-item JSON list from a local endpoint (a `node:http` server in its own
 * process), through raw `fetch` (the floor), `node:http` with a keep-alive agent, ky alone,
 * `@x/core`'s transport (no auth, no schema), openai-node and stripe-node, each reading and
 * parsing the whole body, sequentially and 64 at a time, in paired rounds.
 */
export async function benchPeerTransport(options: BenchOptions): Promise<BenchSection> {
  const server = await startChildServer<{ url: string }>('./json-server.ts')
  const origin = server.ready.url
  const url = `${origin}/v1/items`
  const agent = new Agent({ keepAlive: true })
  const transport = createTransport({ baseUrl: origin, userAgent: 'bench/0.0.0' })
  const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: `${origin}/v1` })
  const { port } = new URL(origin)
  const stripe = new Stripe('sk_test_bench', { host: '127.0.0.1', port: Number(port), protocol: 'http' })
  const check = (body: unknown, side: string) => {
    if ((body as { data?: unknown[] }).data?.length !== ITEMS)
      throw new Error(`${side} read an unexpected body`)
  }
  const peers: { name: string; call: () => Promise<unknown> }[] = [
    {
      name: '`node:http`, keep-alive agent',
      call: () =>
        new Promise<void>((resolve, reject) => {
          get(url, { agent }, (response) => {
            const chunks: Buffer[] = []
            response.on('data', (chunk: Buffer) => chunks.push(chunk))
            response.on('end', () => {
              try {
                check(JSON.parse(Buffer.concat(chunks).toString('utf8')), 'node:http')
                resolve()
              } catch (error) {
                reject(error)
              }
            })
            response.on('error', reject)
          }).on('error', reject)
        }),
    },
    { name: KY, call: async () => check(await ky.get(url).json(), 'ky') },
    {
      name: TRANSPORT,
      call: async () => check(await transport.request({ method: 'GET', path: '/v1/items' }), 'the transport'),
    },
    { name: 'openai-node (`client.get`)', call: async () => check(await openai.get('/items'), 'openai') },
    {
      name: 'stripe-node (`rawRequest`)',
      call: async () => check(await stripe.rawRequest('GET', '/v1/items'), 'stripe'),
    },
  ]
  const floor = {
    name: 'raw `fetch`',
    call: async () => check(await (await fetch(url)).json(), 'fetch'),
  }
  try {
    const plan = callPlan(options.quick)
    const { sequentialCount, concurrentCount } = plan
    // Six clients per round: a quick run takes fewer rounds so `pnpm bench --quick` stays under a minute.
    const rounds = options.quick ? 3 : plan.rounds
    const measure = (count: number, concurrency: number) =>
      compareSubjects<Metrics>({
        rounds,
        warmupRounds: 1,
        higherIsBetter: { latencyMs: false, perSecond: true, cpuMicros: false },
        floor: { name: floor.name, round: () => timeWithCpu(floor.call, count, concurrency) },
        subjects: peers.map((peer) => ({
          name: peer.name,
          round: () => timeWithCpu(peer.call, count, concurrency),
        })),
      })
    const results: [Mode, Awaited<ReturnType<typeof measure>>][] = [
      ['sequential', await measure(sequentialCount, 1)],
      ['64 concurrent', await measure(concurrentCount, 64)],
    ]

    const targets: TargetCheck[] = []
    const rows: string[][] = []
    for (const [mode, result] of results) {
      rows.push([
        mode,
        floor.name,
        '1.00',
        '1.00',
        formatFigure(result.floor.latencyMs, 3),
        formatFigure(result.floor.perSecond, 0),
        formatFigure(result.floor.cpuMicros, 0),
      ])
      for (const subject of result.subjects) {
        rows.push([
          mode,
          subject.name,
          formatFigure(subject.cost.latencyMs),
          formatFigure(subject.cost.perSecond),
          formatFigure(subject.figures.latencyMs, 3),
          formatFigure(subject.figures.perSecond, 0),
          formatFigure(subject.figures.cpuMicros, 0),
        ])
      }
      targets.push(...transportTargets(mode, result.subjects))
    }
    const markdown = [
      `Method: ${rounds} measured rounds after one warm-up round. In each round every client runs back to back against the same endpoint, the order rotating by one each round; ` +
        `each ratio is paired with the \`fetch\` run of its own round. Sequential rounds are ${sequentialCount} requests one at a time; concurrent rounds are ${concurrentCount} requests with 64 in flight. ` +
        `The endpoint is a \`node:http\` server in its own process answering every request with the same ${ITEMS}-item JSON list (Content-Length, keep-alive); every client reads and parses the whole body. ` +
        'Each client has its defaults apart from where to connect: ky alone with its retry and timeout, the transport with no auth and no schema, openai-node and stripe-node with their retries (none happens), stripe-node with its keep-alive `node:http` agent.',
      '',
      'Ratios are cost against `fetch`, paired per round: latency client/fetch, throughput fetch/client; 1.00 is parity, below 1 faster than `fetch`. ' +
        "Client CPU is this process's user + system time over the round divided by its requests (the server runs in another process): the figure least disturbed by other work on the machine, so the transport's own cost over ky is also stated in it.",
      'The machine is shared with other work and noisy: the range over rounds is part of every figure.',
      '',
      table(
        [
          'mode',
          'client',
          'latency ratio (range)',
          'throughput ratio (range)',
          'median latency ms (range)',
          'requests/s (range)',
          'client CPU µs per request (range)',
        ],
        rows,
      ),
    ].join('\n')
    return { title: 'Peers: one GET, side by side', markdown, targets }
  } finally {
    transport.close()
    agent.destroy()
    await server.close()
  }
}

/** `@x/core`'s transport: ≤ 1.10 × `fetch`, and at or below the fastest SDK peer (ky, openai-node, stripe-node). */
function transportTargets(mode: Mode, subjects: SubjectResult<Metrics>[]): TargetCheck[] {
  const ours = subjects.find((subject) => subject.name === TRANSPORT)
  if (ours === undefined) throw new Error('the transport was not measured')
  const peers = subjects.filter(
    (subject) => subject.name !== TRANSPORT && !subject.name.includes('node:http'),
  )
  const ky = subjects.find((subject) => subject.name === KY)
  if (ky === undefined) throw new Error('ky alone was not measured')
  const targets: TargetCheck[] = []
  const cpuOverKy = figure(
    ours.rounds.map((round, index) => round.cpuMicros / (ky.rounds[index] as Metrics).cpuMicros),
  )
  targets.push({
    name: `Transport vs ky alone, ${mode}, client CPU per request`,
    target: `transport/ky ≤ ${KY_TARGET.toFixed(2)}`,
    measured: formatFigure(cpuOverKy),
    met: cpuOverKy.median <= KY_TARGET,
    ...(cpuOverKy.median > KY_TARGET
      ? { note: `missed by ${(cpuOverKy.median - KY_TARGET).toFixed(2)}; ${KY_WHY}` }
      : {}),
  })
  for (const metric of ['latencyMs', 'perSecond'] as const) {
    const cost = ours.cost[metric]
    const label = metric === 'latencyMs' ? 'median latency' : 'throughput'
    // Paired round by round, like the ratios to fetch; for throughput, ky's over ours.
    const overKy = figure(
      ours.rounds.map((round, index) => {
        const kyRound = ky.rounds[index] as Metrics
        return metric === 'latencyMs'
          ? round.latencyMs / kyRound.latencyMs
          : kyRound.perSecond / round.perSecond
      }),
    )
    targets.push({
      name: `Transport vs ky alone, ${mode}, ${label}`,
      target: `transport/ky ≤ ${KY_TARGET.toFixed(2)}`,
      measured: formatFigure(overKy),
      met: overKy.median <= KY_TARGET,
      ...(overKy.median > KY_TARGET
        ? { note: `missed by ${(overKy.median - KY_TARGET).toFixed(2)}; ${KY_WHY}` }
        : {}),
    })
    targets.push({
      name: `Transport vs fetch, ${mode}, ${label}`,
      target: `transport/fetch ≤ ${TARGET.toFixed(2)}`,
      measured: formatFigure(cost),
      met: cost.median <= TARGET,
      ...(cost.median > TARGET ? { note: `missed by ${(cost.median - TARGET).toFixed(2)}; ${WHY}` } : {}),
    })
    const fastest = peers.reduce((best, peer) =>
      peer.cost[metric].median < best.cost[metric].median ? peer : best,
    )
    const met = cost.median <= fastest.cost[metric].median
    targets.push({
      name: `Transport vs fastest peer, ${mode}, ${label}`,
      target: 'at or below the fastest of ky, openai-node, stripe-node',
      measured: `${cost.median.toFixed(2)} vs ${fastest.cost[metric].median.toFixed(2)} (${fastest.name})`,
      met,
      ...(met ? {} : { note: `behind by ${(cost.median - fastest.cost[metric].median).toFixed(2)}; ${WHY}` }),
    })
  }
  return targets
}

/** `timeCalls`, plus this process's CPU time per call over the same calls. */
async function timeWithCpu(
  call: () => Promise<unknown>,
  count: number,
  concurrency: number,
): Promise<Metrics> {
  const cpu = process.cpuUsage()
  const timed = await timeCalls(call, count, concurrency)
  const used = process.cpuUsage(cpu)
  return { ...timed, cpuMicros: (used.user + used.system) / count }
}
