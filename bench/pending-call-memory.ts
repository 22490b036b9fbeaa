import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createClient } from '@redis/client'
import { createRedisPendingCallStore } from '@x/agent-tools'
import {
  type RedisServer,
  redisAvailable,
  startRedisServer,
} from '../packages/agent-tools/test/support/redis-server.ts'
import { type BenchOptions, type BenchSection, type TargetCheck, table } from './support/bench-section.ts'
import { pendingCall } from './support/pending-call.ts'
import { figure, formatFigure } from './support/statistics.ts'
import { workspaceExecArgv } from './support/workspace.ts'

const memoryTarget = 1.5
const redisTarget = 1.2

/**
 * What one call waiting for a person costs to keep: in the in-memory store (heap of a child
 * process, against the same calls held as plain objects in a Map), and in the Redis store
 * (Redis's `used_memory`, against the same JSON written with a bare SET).
 */
export async function benchPendingCallMemory(options: BenchOptions): Promise<BenchSection> {
  const rounds = options.quick ? 3 : 5
  const count = options.quick ? 2_000 : 10_000
  const memory = { store: [] as number[], floor: [] as number[] }
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 ? (['floor', 'store'] as const) : (['store', 'floor'] as const)) {
      memory[mode].push(await measureHeap(mode, count))
    }
  }
  const heapRatio = figure(memory.store.map((bytes, round) => bytes / memory.floor[round]!))
  const rows = [
    [
      'in-memory store (heap)',
      formatFigure(figure(memory.store), 0),
      formatFigure(figure(memory.floor), 0),
      formatFigure(heapRatio),
    ],
  ]
  const targets: TargetCheck[] = [
    {
      name: 'in-memory pending call, heap per call vs a plain Map',
      target: `≤ ${memoryTarget}×`,
      measured: `${heapRatio.median.toFixed(2)}×`,
      met: heapRatio.median <= memoryTarget,
    },
  ]
  let redisNote = 'Redis: not measured, redis-server is not installed here.'
  if (redisAvailable) {
    const redis = await startRedisServer()
    try {
      const measured = { store: [] as number[], floor: [] as number[] }
      for (let round = 0; round < rounds; round++) {
        measured.store.push(await measureRedis(redis, 'store', count, round))
        measured.floor.push(await measureRedis(redis, 'floor', count, round))
      }
      const redisRatio = figure(measured.store.map((bytes, round) => bytes / measured.floor[round]!))
      rows.push([
        'Redis store (`used_memory`)',
        formatFigure(figure(measured.store), 0),
        formatFigure(figure(measured.floor), 0),
        formatFigure(redisRatio),
      ])
      targets.push({
        name: 'Redis pending call, memory per call vs a bare SET of the same JSON',
        target: `≤ ${redisTarget}×`,
        measured: `${redisRatio.median.toFixed(2)}×`,
        met: redisRatio.median <= redisTarget,
      })
      redisNote =
        `Redis: a real redis-server on loopback; each round writes ${count} calls through the store, reads \`used_memory\` ` +
        'before and after, then deletes them; the floor writes the same JSON under keys of the same length with a bare `SET … PX`.'
    } finally {
      await redis.close()
    }
  }
  const markdown = [
    `Method: ${rounds} rounds of ${count} pending \`ralio_pay\` calls (gateway-length ids, a short reference, the policy's reason). ` +
      'In memory: a child process started with `--expose-gc` collects garbage twice, stores the calls, collects again and ' +
      'reports the heap they hold; the floor holds the same calls as plain objects in a `Map`. ' +
      redisNote,
    '',
    table(['where', 'bytes per pending call (range)', 'floor bytes (range)', 'ratio (range)'], rows),
  ].join('\n')
  return { title: 'Memory per pending call', markdown, targets }
}

async function measureHeap(mode: 'store' | 'floor', count: number): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      ...workspaceExecArgv,
      fileURLToPath(new URL('./pending-call-memory-child.ts', import.meta.url)),
      mode,
      String(count),
    ],
    { maxBuffer: 1 << 20 },
  )
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { bytesPerCall: number }).bytesPerCall
}

async function measureRedis(
  redis: RedisServer,
  mode: 'store' | 'floor',
  count: number,
  round: number,
): Promise<number> {
  const raw = createClient({ url: redis.url })
  await raw.connect()
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1])
  const keyPrefix = `bench${round}${mode === 'store' ? 's' : 'f'}:`
  try {
    const before = await usedMemory()
    if (mode === 'store') {
      const store = await createRedisPendingCallStore({ url: redis.url, keyPrefix })
      for (let index = 0; index < count; index += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, count - index) }, (_, offset) =>
            store.put(pendingCall(index + offset), 86_400_000),
          ),
        )
      }
      await store.close?.()
    } else {
      for (let index = 0; index < count; index += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, count - index) }, (_, offset) => {
            const call = pendingCall(index + offset)
            return raw.set(`${keyPrefix}pending:${call.approvalId}`, JSON.stringify(call), { PX: 86_400_000 })
          }),
        )
      }
    }
    const after = await usedMemory()
    await raw.flushDb()
    return (after - before) / count
  } finally {
    await raw.close()
  }
}
