import { MemoryPendingCallStore, type PendingCall } from '@x/agent-tools'
import { pendingCall } from './support/pending-call.ts'

// Run with --expose-gc by pending-call-memory.ts: holds `count` pending ralio_pay calls, in the
// in-memory store or (the floor) as plain objects in a Map, and reports the heap they take.
const [mode, countText] = process.argv.slice(2) as ['store' | 'floor', string]
const count = Number(countText)
const gc = globalThis.gc
if (gc === undefined) throw new Error('run with --expose-gc')

const store = new MemoryPendingCallStore({ capacity: count })
const floor = new Map<string, PendingCall>()
gc()
gc()
const baseline = process.memoryUsage().heapUsed
for (let index = 0; index < count; index++) {
  const call = pendingCall(index)
  if (mode === 'store') await store.put(call, 86_400_000)
  else floor.set(call.approvalId, structuredClone(call))
}
gc()
gc()
const held = process.memoryUsage().heapUsed - baseline
process.stdout.write(
  `${JSON.stringify({ bytesPerCall: held / count, size: mode === 'store' ? store.size : floor.size })}\n`,
)
