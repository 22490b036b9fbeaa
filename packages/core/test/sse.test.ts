import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { APIError, ConnectionError, type SseEvent, TimeoutError, UserAbortError } from '../src/index.js'
import {
  createTransport,
  defaultErrorMap,
  type ReadSseOptions,
  readSse,
  type TransportOptions,
} from '../src/internal/index.js'
import { type LocalServer, sendJson, startServer } from './support/local-server.js'

let server: LocalServer | undefined
afterEach(async () => {
  vi.useRealTimers()
  await server?.close()
  server = undefined
})

function openStream(response: ServerResponse, headers: Record<string, string> = {}) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers })
}

async function transportFor(
  handler: Parameters<typeof startServer>[0],
  options: Partial<TransportOptions> = {},
) {
  server = await startServer(handler)
  return createTransport({
    baseUrl: server.url,
    userAgent: 'test/1.0.0',
    retry: { baseDelayMs: 0, random: () => 0 },
    logger: { error() {}, warn() {}, info() {}, debug() {} },
    ...options,
  })
}

async function collect(stream: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const events: SseEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}

/** A Response whose body is `chunks`, for readSse on its own. */
function sseResponse(chunks: string[], status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req_9' },
  })
}

const read = (chunks: string[], options: Partial<ReadSseOptions> = {}) =>
  collect(readSse(sseResponse(chunks), { errors: defaultErrorMap, ...options }))

describe('parsing', () => {
  it('yields named events with JSON data and ids', async () => {
    const events = await read([
      'id: 1\nevent: delta\ndata: {"text":"Hel"}\n\n',
      'event: reply\ndata: {"done":true}\n\n',
    ])
    expect(events).toEqual([
      { event: 'delta', data: { text: 'Hel' }, raw: '{"text":"Hel"}', id: '1' },
      { event: 'reply', data: { done: true }, raw: '{"done":true}' },
    ])
  })

  it("names an event without an event field 'message'", async () => {
    expect(await read(['data: {"a":1}\n\n'])).toEqual([{ event: 'message', data: { a: 1 }, raw: '{"a":1}' }])
  })

  it('surfaces events it does not know, with their raw data', async () => {
    const events = await read(['event: from_the_future\ndata: {"x":1}\n\n'], {
      terminalEvents: ['from_the_future'],
    })
    expect(events).toEqual([{ event: 'from_the_future', data: { x: 1 }, raw: '{"x":1}' }])
  })

  it('ignores keep-alive comments', async () => {
    const events = await read([': keep-alive\n\n', ':\n\n', 'data: "hi"\n\n', ': ping\n\n'])
    expect(events.map((event) => event.data)).toEqual(['hi'])
  })

  it('joins multi-line data with a newline', async () => {
    const events = await read(['data: {"a":\ndata: 1}\n\n', 'data: line one\ndata: line two\n\n'])
    expect(events.map((event) => event.raw)).toEqual(['{"a":\n1}', 'line one\nline two'])
    expect(events[0]?.data).toEqual({ a: 1 })
  })

  it('keeps data that is not JSON as the raw string', async () => {
    const events = await read(['data: plain text delta\n\n', 'data: {not json\n\n', 'data: 42\n\n'])
    expect(events.map((event) => event.data)).toEqual(['plain text delta', '{not json', '42'])
  })

  it('reassembles an event split across chunks', async () => {
    const events = await read(['ev', 'ent: delta\nda', 'ta: {"te', 'xt":"a"}\n', '\n'])
    expect(events).toEqual([{ event: 'delta', data: { text: 'a' }, raw: '{"text":"a"}' }])
  })

  it('dispatches a last record the body ended without its closing blank line', async () => {
    expect(await read(['data: 1\n\n', 'event: delta\ndata: {"text":"a"}'])).toEqual([
      { event: 'message', data: '1', raw: '1' },
      { event: 'delta', data: { text: 'a' }, raw: '{"text":"a"}' },
    ])
  })

  it('a terminal event without its closing blank line still ends the stream normally', async () => {
    const events = await read(['data: 1\n\n', 'event: reply\ndata: {"ok":true}\n'], {
      terminalEvents: ['reply'],
    })
    expect(events.map((event) => event.event)).toEqual(['message', 'reply'])
  })

  it('handles CRLF line endings', async () => {
    expect(await read(['event: delta\r\ndata: {"a":1}\r\n\r\n'])).toEqual([
      { event: 'delta', data: { a: 1 }, raw: '{"a":1}' },
    ])
  })
})

describe('protocol errors and early ends', () => {
  it("turns the protocol's error event into the family's API error", async () => {
    const error = await read(
      ['data: {"n":1}\n\n', 'event: error\ndata: {"message":"model overloaded"}\n\n'],
      {
        errorEvent: 'error',
        terminalEvents: ['reply'],
      },
    ).catch((e: unknown) => e)
    expect(APIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      statusCode: 200,
      code: 'stream_error',
      message: 'model overloaded',
      requestId: 'req_9',
      body: { message: 'model overloaded' },
    })
  })

  it('keeps the code an error event carries', async () => {
    const error = await read(['event: error\ndata: {"code":"quota","message":"out of quota"}\n\n'], {
      errorEvent: 'error',
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'quota', message: 'out of quota' })
  })

  it('an error event with text data uses the text as the message', async () => {
    const error = await read(['event: error\ndata: upstream failed\n\n'], { errorEvent: 'error' }).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'stream_error', message: 'upstream failed' })
  })

  it('a body that ends before the terminal event is a stream_incomplete ConnectionError, not a silent end', async () => {
    const events: SseEvent[] = []
    const error = await (async () => {
      for await (const event of readSse(sseResponse(['data: {"n":1}\n\n']), {
        errors: defaultErrorMap,
        terminalEvents: ['reply'],
      }))
        events.push(event)
    })().catch((e: unknown) => e)
    expect(events).toHaveLength(1)
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'stream_incomplete' })
    expect((error as Error).message).toContain('ended before its final event (reply)')
  })

  it('without terminal events, the end of the body is the end of the stream', async () => {
    expect(await read(['data: 1\n\n'])).toHaveLength(1)
  })

  it('stops at the terminal event even if the server keeps sending', async () => {
    const events = await read(['event: reply\ndata: {}\n\n', 'data: "after"\n\n'], {
      terminalEvents: ['reply'],
    })
    expect(events.map((event) => event.event)).toEqual(['reply'])
  })
})

describe('over HTTP', () => {
  it('asks for text/event-stream and streams events as the server writes them', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.write(': connected\n\n')
      response.write('event: delta\ndata: {"text":"Hi"}\n\n')
      response.end('event: reply\ndata: {"text":"Hi!"}\n\n')
    })
    const events = await collect(
      transport.stream({ method: 'POST', path: '/chat', json: {}, terminalEvents: ['reply'] }),
    )
    expect(events.map((event) => event.event)).toEqual(['delta', 'reply'])
    expect(server?.requests[0]?.headers.accept).toBe('text/event-stream')
  })

  it('exposes the response headers', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response, { 'x-request-id': 'req_1' })
      response.end('data: 1\n\n')
    })
    const stream = transport.stream({ method: 'GET', path: '/events' })
    const response = await stream.response
    expect(response.headers.get('x-request-id')).toBe('req_1')
    expect(await collect(stream)).toHaveLength(1)
    expect(server?.requests).toHaveLength(1)
  })

  it('fails with TimeoutError when the server goes quiet for idleTimeoutMs', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.write('data: {"n":1}\n\n')
      // then nothing, forever
    })
    const events: SseEvent[] = []
    const error = await (async () => {
      for await (const event of transport.stream({ method: 'GET', path: '/events', idleTimeoutMs: 200 }))
        events.push(event)
    })().catch((e: unknown) => e)
    expect(events).toHaveLength(1)
    expect(TimeoutError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'stream_idle_timeout' })
  })

  it('idleTimeoutMs: Infinity never closes a quiet stream', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    let push: (text: string) => void = () => {}
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => {
          controller.enqueue(new TextEncoder().encode(text))
          controller.close()
        }
      },
    })
    const reader = readSse(new Response(body), { errors: defaultErrorMap, idleTimeoutMs: Infinity })
    const next = reader.next()
    // A whole day of silence, as a chat waiting on a person's approval may have.
    await vi.advanceTimersByTimeAsync(24 * 60 * 60 * 1000)
    push('data: {"approved":true}\n\n')
    await expect(next).resolves.toEqual({
      done: false,
      value: { event: 'message', data: { approved: true }, raw: '{"approved":true}' },
    })
  })

  it('closes the connection when the consumer breaks out of the loop', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.write('data: {"n":1}\n\n')
      response.write('data: {"n":2}\n\n')
    })
    for await (const event of transport.stream({ method: 'GET', path: '/events' })) {
      expect(event.data).toEqual({ n: 1 })
      break
    }
    await server?.connectionClosed
  })

  it('abort() closes the connection and ends the loop with UserAbortError', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.write('data: {"n":1}\n\n')
    })
    const stream = transport.stream({ method: 'GET', path: '/events' })
    const error = await (async () => {
      for await (const _event of stream) stream.abort()
    })().catch((e: unknown) => e)
    expect(UserAbortError.isInstance(error)).toBe(true)
    await server?.connectionClosed
  })

  it('abort() before reading sends nothing', async () => {
    const transport = await transportFor((_request, response) => sendJson(response, 200, {}))
    const stream = transport.stream({ method: 'GET', path: '/events' })
    stream.abort()
    await expect(collect(stream)).rejects.toSatisfy(UserAbortError.isInstance.bind(UserAbortError))
    expect(server?.requests).toHaveLength(0)
  })

  it("the caller's signal aborting mid-stream rejects with UserAbortError", async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.write('data: {"n":1}\n\n')
    })
    const controller = new AbortController()
    const error = await (async () => {
      for await (const _event of transport.stream({
        method: 'GET',
        path: '/events',
        signal: controller.signal,
      }))
        controller.abort()
    })().catch((e: unknown) => e)
    expect(UserAbortError.isInstance(error)).toBe(true)
    await server?.connectionClosed
  })

  it('a 5xx before the stream opens is retried for a GET', async () => {
    const transport = await transportFor((_request, response, index) => {
      if (index === 0) return sendJson(response, 503, { error: 'warming up' })
      openStream(response)
      response.end('event: reply\ndata: {}\n\n')
    })
    const events = await collect(
      transport.stream({ method: 'GET', path: '/events', terminalEvents: ['reply'] }),
    )
    expect(events).toHaveLength(1)
    expect(server?.requests).toHaveLength(2)
  })

  it('a 5xx before the stream opens is not retried for a POST without a key', async () => {
    const transport = await transportFor((_request, response) =>
      sendJson(response, 502, { error: 'bad gateway' }),
    )
    const error = await collect(transport.stream({ method: 'POST', path: '/chat', json: {} })).catch(
      (e: unknown) => e,
    )
    expect(APIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ statusCode: 502 })
    expect(server?.requests).toHaveLength(1)
  })

  it('a connection cut after the first event is never re-sent', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.write('data: {"n":1}\n\n', () => setTimeout(() => response.socket?.destroy(), 10))
    })
    const events: SseEvent[] = []
    const error = await (async () => {
      for await (const event of transport.stream({
        method: 'GET',
        path: '/events',
        terminalEvents: ['reply'],
      }))
        events.push(event)
    })().catch((e: unknown) => e)
    expect(events).toHaveLength(1)
    expect(ConnectionError.isInstance(error)).toBe(true)
    expect(['stream_interrupted', 'stream_incomplete']).toContain((error as ConnectionError).code)
    expect(server?.requests).toHaveLength(1)
  })

  it('a stream that ends cleanly before its terminal event is stream_incomplete and not re-sent', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.end('event: delta\ndata: {}\n\n')
    })
    const error = await collect(
      transport.stream({ method: 'GET', path: '/events', terminalEvents: ['reply'] }),
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'stream_incomplete' })
    expect(server?.requests).toHaveLength(1)
  })
})

describe('batches()', () => {
  const batchesOf = async (chunks: string[], options: Partial<ReadSseOptions> = {}) => {
    const batches: SseEvent[][] = []
    for await (const batch of readSse(sseResponse(chunks), { errors: defaultErrorMap, ...options }).batches())
      batches.push(batch)
    return batches
  }
  const raw = (batches: SseEvent[][]) => batches.map((batch) => batch.map((event) => event.raw))

  it('delivers every event parsed from a chunk in one array, in order', async () => {
    const batches = await batchesOf(['data: 1\n\ndata: 2\n\ndata: 3\n\n', 'data: 4\n\n'])
    expect(raw(batches)).toEqual([['1', '2', '3'], ['4']])
  })

  it('never delivers an empty array for a chunk holding only part of an event', async () => {
    const batches = await batchesOf(['data: 1\n\ndata: ', '2\n', '\n'])
    expect(raw(batches)).toEqual([['1'], ['2']])
  })

  it('ends with the terminal event and reads nothing after it', async () => {
    const batches = await batchesOf(['data: 1\n\nevent: reply\ndata: 2\n\ndata: 3\n\n'], {
      terminalEvents: ['reply'],
    })
    expect(raw(batches)).toEqual([['1', '2']])
  })

  it('delivers the events before an error event, then throws the error', async () => {
    const delivered: SseEvent[][] = []
    const error = await (async () => {
      const events = readSse(
        sseResponse(['data: 1\n\ndata: 2\n\nevent: error\ndata: {"message":"overloaded"}\n\n']),
        {
          errors: defaultErrorMap,
          errorEvent: 'error',
        },
      )
      for await (const batch of events.batches()) delivered.push(batch)
    })().catch((e: unknown) => e)
    expect(raw(delivered)).toEqual([['1', '2']])
    expect(APIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'stream_error', message: 'overloaded' })
  })

  it('passes each event through map', async () => {
    const batches: number[][] = []
    const events = readSse(sseResponse(['data: 1\n\ndata: 2\n\n']), {
      errors: defaultErrorMap,
      map: (message) => Number(message.data) * 10,
    })
    for await (const batch of events.batches()) batches.push(batch)
    expect(batches).toEqual([[10, 20]])
  })

  it('a body that ends before the terminal event is stream_incomplete, after the events it held', async () => {
    const delivered: SseEvent[][] = []
    const error = await (async () => {
      const events = readSse(sseResponse(['data: 1\n\n']), {
        errors: defaultErrorMap,
        terminalEvents: ['reply'],
      })
      for await (const batch of events.batches()) delivered.push(batch)
    })().catch((e: unknown) => e)
    expect(raw(delivered)).toEqual([['1']])
    expect(error).toMatchObject({ code: 'stream_incomplete' })
  })

  it('over HTTP, a transport stream read in batches closes the connection when the loop breaks', async () => {
    const transport = await transportFor((_request, response) => {
      openStream(response)
      response.write('data: {"n":1}\n\ndata: {"n":2}\n\n')
    })
    for await (const batch of transport.stream({ method: 'GET', path: '/events' }).batches()) {
      expect(batch.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }])
      break
    }
    await server?.connectionClosed
  })

  it('over HTTP, leaving a batch loop before the response arrived aborts the request', async () => {
    const transport = await transportFor(() => {})
    const batches = transport.stream({ method: 'GET', path: '/events' }).batches()
    const first = batches.next()
    while ((server?.requests.length ?? 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    await batches.return?.()
    await expect(first).rejects.toSatisfy(UserAbortError.isInstance.bind(UserAbortError))
  })
})
