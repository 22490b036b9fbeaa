import { MemoryPendingCallStore, type PendingCallStore } from '../pending-call-store.js'
import { createRedisPendingCallStore, parseRedisUrl, redactedRedisUrl } from '../redis-pending-call-store.js'
import { UsageError } from './usage-error.js'

/**
 * The pending-call store `--store` (or `X_MCP_STORE`) names: `memory` (the default, this
 * process only) or a `redis://` / `rediss://` URL that every replica shares. Connects before
 * the server starts, so an unreachable Redis is a start-up error.
 */
export async function openStore(
  spec: string | undefined,
): Promise<{ store: PendingCallStore; description: string }> {
  if (spec === undefined || spec === 'memory') {
    return { store: new MemoryPendingCallStore(), description: 'in memory (this process only)' }
  }
  if (!/^rediss?:\/\//.test(spec)) {
    throw new UsageError(
      '--store (or X_MCP_STORE) must be "memory" or a redis:// URL such as redis://127.0.0.1:6379.',
    )
  }
  const url = parseRedisUrl(spec)
  const store = await createRedisPendingCallStore({ url: spec })
  return { store, description: `in Redis at ${redactedRedisUrl(url)} (shared with every replica using it)` }
}
