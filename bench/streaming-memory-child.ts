import { RalioClient } from '@x/ralio'
import { readDeltasWithParser } from './support/read-deltas-with-parser.ts'
import { redirectStreamFetch } from './support/redirect-stream-fetch.ts'

// Run with --expose-gc by streaming-throughput.ts: reads one long chat stream (through the
// SDK or the bare parser) and reports how far RSS rose above the settled starting point.
const [mode, baseUrl, configDir, streamUrl] = process.argv.slice(2) as [string, string, string, string]
const gc = globalThis.gc
if (gc === undefined) throw new Error('run with --expose-gc')

let events = 0
const samples: number[] = []
const sample = () => {
  if (++events % 512 === 0) samples.push(process.memoryUsage.rss())
}

const client = new RalioClient({ baseUrl, configDir, fetch: redirectStreamFetch(streamUrl) })
// Warm both paths (token, agent lookup, code) on a short stream before the baseline.
const warmUrl = streamUrl.replace(/bytes=\d+/, 'bytes=100000')
await readSdk(new RalioClient({ baseUrl, configDir, fetch: redirectStreamFetch(warmUrl) }))
await readFloor(warmUrl)
events = 0
gc()
gc()
const baseline = process.memoryUsage.rss()
const baselineHeap = process.memoryUsage().heapUsed
samples.length = 0
const started = performance.now()
if (mode === 'sdk') await readSdk(client)
else await readFloor(streamUrl)
const seconds = (performance.now() - started) / 1000
client.close()
gc()
const megabytes = (bytes: number) => bytes / 2 ** 20
// Flat means the plateau reached in the first quarter of the stream is not exceeded later:
// memory that tracks the stream's length would keep climbing.
const firstQuarter = samples.slice(0, Math.max(1, Math.floor(samples.length / 4)))
const peak = Math.max(baseline, ...samples)
process.stdout.write(
  `${JSON.stringify({
    mode,
    events,
    seconds,
    baselineMb: megabytes(baseline),
    growthMb: megabytes(peak - baseline),
    laterGrowthMb: megabytes(peak - Math.max(baseline, ...firstQuarter)),
    retainedHeapMb: megabytes(process.memoryUsage().heapUsed - baselineHeap),
  })}\n`,
)

async function readSdk(ralio: RalioClient) {
  let length = 0
  for await (const event of ralio.chat.stream({ message: 'stream a long reply' })) {
    if (event.event === 'text_delta') {
      length += event.text?.length ?? 0
      sample()
    }
  }
  ralio.close()
  return length
}

async function readFloor(url: string) {
  return (await readDeltasWithParser(url, sample)).length
}
