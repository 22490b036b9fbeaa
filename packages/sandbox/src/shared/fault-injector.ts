import type { HttpBindings } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { Context, MiddlewareHandler } from 'hono'
import { cutStreamAfterEvents } from './cut-stream-after-events.js'
import { type FaultRule, parseFaultRule } from './fault-rule.js'
import { type InProcessConnection, inProcessConnectionKey } from './in-process-fetch.js'
import { matchesWildcard } from './wildcard-match.js'

export type { FaultRule } from './fault-rule.js'

/** What a fault did to one request; kept in `FaultInjector.log`. */
export interface FaultLogEntry {
  ruleId: string
  method: string
  path: string
  /** ISO 8601, machine time. */
  at: string
  effect: 'status' | 'latency' | 'drop-connection' | 'cut-stream'
  after: boolean
}

/** A rule still in force, with what is left of its count. */
export interface ActiveFaultRule extends FaultRule {
  id: string
  remaining: number
}

export interface FaultInjectorOptions {
  /** The body of a `status` fault that sets none; each sandbox answers in its own error shape. */
  defaultBody?: (status: number) => unknown
  /** Source of randomness for `probability`; inject one for deterministic tests. */
  random?: () => number
}

interface StoredRule {
  id: string
  rule: FaultRule
  remaining: number
  method: string
  /** The path pattern, `*` wildcards included; undefined for the '*' route. */
  path: string | undefined
}

const maxLogEntries = 1000

/** Paths under this prefix are the sandbox's control plane and are never faulted. */
export const adminPathPrefix = '/__admin'

const defaultFaultBody = (status: number) => ({
  error: { code: 'injected_fault', message: `Injected fault: HTTP ${status}` },
})

/**
 * Makes the next N matching requests fail in a chosen way. Rules are tried in insertion
 * order; the first live match applies and uses up one of its count.
 */
export class FaultInjector {
  /** The faults applied so far (the latest 1000), oldest first. */
  readonly log: FaultLogEntry[] = []
  #rules: StoredRule[] = []
  #nextId = 1
  readonly #defaultBody: (status: number) => unknown
  readonly #random: () => number

  constructor(options: FaultInjectorOptions = {}) {
    this.#defaultBody = options.defaultBody ?? defaultFaultBody
    this.#random = options.random ?? Math.random
  }

  /** Validates and adds a rule; returns its id. Throws a TypeError describing a bad rule. */
  add(input: FaultRule): string {
    const rule = parseFaultRule(input)
    const id = `flt_${this.#nextId++}`
    const [method, pattern] = rule.route === '*' ? ['*', undefined] : splitRoute(rule.route)
    this.#rules.push({
      id,
      rule,
      remaining: rule.count ?? 1,
      method,
      path: pattern,
    })
    return id
  }

  /** Removes one rule; returns whether it existed. */
  remove(id: string): boolean {
    const before = this.#rules.length
    this.#rules = this.#rules.filter((stored) => stored.id !== id)
    return this.#rules.length !== before
  }

  clear(): void {
    this.#rules = []
  }

  /** The rules still in force. */
  list(): ActiveFaultRule[] {
    return this.#rules.map((stored) => ({ ...stored.rule, id: stored.id, remaining: stored.remaining }))
  }

  /** Install before the routes: `app.use(faults.middleware())`. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const path = c.req.path
      if (path === adminPathPrefix || path.startsWith(`${adminPathPrefix}/`)) return next()
      const stored = this.#take(c.req.method, path)
      if (stored === undefined) return next()
      const { rule } = stored
      const after = rule.after === true
      const record = (effect: FaultLogEntry['effect']) => {
        this.log.push({
          ruleId: stored.id,
          method: c.req.method,
          path,
          at: new Date().toISOString(),
          effect,
          after,
        })
        // Bounded so a long soak run with a probabilistic rule does not grow without limit.
        if (this.log.length > maxLogEntries) this.log.splice(0, this.log.length - maxLogEntries)
      }

      if (!after && rule.latencyMs) await sleep(rule.latencyMs)
      if (after) {
        await next()
        if (rule.latencyMs) await sleep(rule.latencyMs)
      }

      if (rule.dropConnection) {
        record('drop-connection')
        if (after) await discardBody(c.res)
        connectionOf(c, 'dropConnection').drop()
        return replaceResponse(c, new Response(null, { headers: RESPONSE_ALREADY_SENT.headers }))
      }
      if (rule.status !== undefined) {
        record('status')
        if (after) await discardBody(c.res)
        return replaceResponse(c, this.#failureResponse(rule, rule.status))
      }
      if (rule.cutStreamAfterEvents !== undefined) {
        if (!after) await next()
        const body = c.res.body
        if (body === null) return
        record('cut-stream')
        const connection = connectionOf(c, 'cutStreamAfterEvents')
        const original = c.res
        const cutBody = cutStreamAfterEvents(body, rule.cutStreamAfterEvents, () => connection.end())
        return replaceResponse(
          c,
          new Response(cutBody, { status: original.status, headers: original.headers }),
        )
      }
      record('latency')
      if (!after) await next()
    }
  }

  #take(method: string, path: string): StoredRule | undefined {
    for (const stored of this.#rules) {
      if (stored.remaining <= 0) continue
      if (stored.method !== '*' && stored.method !== method) continue
      if (stored.path !== undefined && !matchesWildcard(stored.path, path)) continue
      // A rule that loses the dice roll lets this request through untouched rather
      // than handing it to a later rule, so each rule's rate is what it says.
      if (this.#random() >= (stored.rule.probability ?? 1)) return undefined
      stored.remaining -= 1
      if (stored.remaining === 0) this.#rules = this.#rules.filter((candidate) => candidate !== stored)
      return stored
    }
    return undefined
  }

  #failureResponse(rule: FaultRule, status: number): Response {
    const headers = new Headers(rule.headers)
    const body = rule.body === undefined ? this.#defaultBody(status) : rule.body
    if (typeof body === 'string') {
      if (!headers.has('content-type')) headers.set('content-type', 'text/plain; charset=UTF-8')
      return new Response(body, { status, headers })
    }
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    return new Response(JSON.stringify(body ?? null), { status, headers })
  }
}

function splitRoute(route: string): [string, string] {
  const space = route.indexOf(' ')
  return [route.slice(0, space).toUpperCase(), route.slice(space + 1)]
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds))
}

/** Replaces the response without inheriting the old one's headers (Hono merges them otherwise). */
function replaceResponse(c: Context, response: Response): void {
  c.res = undefined
  c.res = response
}

async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {})
}

/** Breaks the connection a request came on: a Node socket, or the in-process fetch's. */
function connectionOf(c: Context, feature: string): { drop(): void; end(): Promise<void> } {
  const env = c.env as Partial<HttpBindings> & { [inProcessConnectionKey]?: InProcessConnection }
  const inProcess = env?.[inProcessConnectionKey]
  if (inProcess !== undefined) {
    return { drop: () => inProcess.drop(), end: async () => inProcess.cut() }
  }
  if (env?.incoming?.socket === undefined || env.outgoing === undefined) {
    throw new Error(
      `The ${feature} fault needs the Node HTTP server or the in-process fetch (start the app with serve() or inProcessFetch())`,
    )
  }
  const bindings = env as HttpBindings
  return { drop: () => bindings.incoming.socket.destroy(), end: () => endConnection(bindings) }
}

/**
 * Ends the connection without finishing the HTTP response (no terminating chunk), after
 * what was already written has been flushed, so the client receives the allowed events
 * and then a broken stream.
 */
async function endConnection({ incoming, outgoing }: HttpBindings): Promise<void> {
  // The adapter may read a few chunks before writing the status line; wait until it has
  // (it writes those chunks in the same tick), bounded so a stuck response cannot hang us.
  for (let attempt = 0; attempt < 200 && !outgoing.headersSent; attempt++) await sleep(1)
  const socket = incoming.socket
  if (socket.destroyed) return
  socket.end(() => socket.destroy())
}
