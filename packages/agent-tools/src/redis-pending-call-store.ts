import * as z from 'zod/mini'
import { type PendingCall, type PendingCallStore, PendingCallStoreError } from './pending-call-store.js'

/** Options of {@link createRedisPendingCallStore}. */
export interface RedisPendingCallStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string
  /** Prefix of every key, so several servers can share one Redis. Default `x-agent-tools:`. */
  keyPrefix?: string
  /** How long one command may take before the call fails with `store_unavailable`. Default 5 000 ms. */
  commandTimeoutMs?: number
}

/** The few commands the store sends; `@redis/client` has them all. */
interface RedisCommands {
  set(key: string, value: string, options: { PX: number; NX?: true }): Promise<string | null>
  get(key: string): Promise<string | null>
  del(keys: string[]): Promise<number>
  close(): Promise<void>
}

const storedCallSchema = z.looseObject({
  approvalId: z.string(),
  toolName: z.string(),
  input: z.unknown(),
  idempotencyKey: z.string(),
  sessionId: z.string(),
  toolCallId: z.string(),
  receiptId: z.string(),
  reason: z.optional(z.string()),
  createdAt: z.number(),
  outcome: z.optional(z.looseObject({ status: z.string() })),
})

/**
 * A pending-call store in Redis, shared by every replica that points at the same server: a
 * call left pending on one is finished on any other, and survives a restart. The claim that
 * lets exactly one replica execute an approved call is one `SET … NX PX`, atomic on the server.
 *
 * Needs the optional peer `@redis/client` (node-redis's core client). Connects before it
 * returns, so a wrong URL is a start-up error, not a failure on the first tool call. Every
 * command fails fast while Redis is unreachable (no offline queue), with a
 * {@link PendingCallStoreError} (`code: 'store_unavailable'`); the client reconnects meanwhile.
 */
export async function createRedisPendingCallStore(
  options: RedisPendingCallStoreOptions,
): Promise<PendingCallStore> {
  const url = parseRedisUrl(options?.url)
  const prefix = options.keyPrefix ?? 'x-agent-tools:'
  let redis: typeof import('@redis/client')
  try {
    redis = await import('@redis/client')
  } catch {
    throw new PendingCallStoreError(
      'The Redis pending-call store needs the @redis/client package: npm install @redis/client.',
      { code: 'missing_redis_client' },
    )
  }
  let connected = false
  const client = redis.createClient({
    url: url.href,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 5_000 },
    socket: {
      connectTimeout: 5_000,
      // The first connection fails at once (a start-up error); later, back off to one attempt every
      // 2 s, and commands meanwhile fail at once instead of queueing.
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(100 * 2 ** retries, 2_000) : cause,
    },
  })
  let lastError: unknown
  // node-redis emits connection errors as events; without a listener they would crash the process.
  client.on('error', (error: unknown) => {
    lastError = error
  })
  try {
    await client.connect()
    connected = true
  } catch (error) {
    await client.destroy?.()
    throw unavailable(url, error)
  }
  const commands = client as unknown as RedisCommands
  const send = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      throw unavailable(url, error ?? lastError)
    }
  }
  const callKey = (approvalId: string) => `${prefix}pending:${approvalId}`
  const claimKey = (approvalId: string) => `${prefix}claim:${approvalId}`

  return {
    async put(call, ttlMs) {
      const json = JSON.stringify(call)
      await send(() => commands.set(callKey(call.approvalId), json, { PX: positive(ttlMs) }))
    },
    async get(approvalId) {
      const json = await send(() => commands.get(callKey(approvalId)))
      if (json === null) return undefined
      let parsed: unknown
      try {
        parsed = JSON.parse(json)
      } catch {
        parsed = undefined
      }
      const checked = storedCallSchema.safeParse(parsed)
      if (!checked.success) {
        throw new PendingCallStoreError(
          `The pending call of approval ${approvalId} in Redis is not one this version wrote; ` +
            'check that nothing else writes under the same key prefix.',
          { code: 'store_corrupt' },
        )
      }
      return checked.data as PendingCall
    },
    async claim(approvalId, ttlMs) {
      const set = await send(() => commands.set(claimKey(approvalId), '1', { PX: positive(ttlMs), NX: true }))
      return set === 'OK'
    },
    async delete(approvalId) {
      await send(() => commands.del([callKey(approvalId), claimKey(approvalId)]))
    },
    async close() {
      await commands.close().catch(() => client.destroy?.())
    },
  }
}

/** Accepts only redis:// and rediss:// URLs; the error never repeats a password. */
export function parseRedisUrl(value: unknown): URL {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new PendingCallStoreError(
      'The Redis store URL must look like redis://host:6379 (or rediss:// for TLS), with an optional user:password@.',
      { code: 'invalid_store_url' },
    )
  }
  return url
}

/** The URL with any password replaced, fit for a log line. */
export function redactedRedisUrl(url: URL): string {
  const shown = new URL(url.href)
  if (shown.password !== '') shown.password = '***'
  return shown.href
}

function positive(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs))
}

function unavailable(url: URL, cause: unknown): PendingCallStoreError {
  const reason = cause instanceof Error && cause.message ? `: ${cause.message}` : ''
  return new PendingCallStoreError(
    `The pending-call store at ${redactedRedisUrl(url)} did not answer${reason.replaceAll(url.password || '\0', '***')}. ` +
      'Nothing was executed because of it; try again once Redis is reachable.',
    { code: 'store_unavailable', cause },
  )
}
