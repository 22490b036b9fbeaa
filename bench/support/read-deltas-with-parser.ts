import { createParser } from 'eventsource-parser'

/**
 * The streaming floor: what a hand-written client does with eventsource-parser alone —
 * POST, decode the body as text, parse events, `JSON.parse` each `text_delta` to read it.
 */
export async function readDeltasWithParser(
  url: string,
  onDelta: (text: string) => void = () => {},
): Promise<{ deltas: number; length: number }> {
  const response = await fetch(url, { method: 'POST', body: '{}' })
  if (!response.ok || response.body === null) throw new Error(`the stream answered ${response.status}`)
  let deltas = 0
  let length = 0
  const parser = createParser({
    onEvent(message) {
      if (message.event !== 'text_delta') return
      const { text } = JSON.parse(message.data) as { text: string }
      deltas++
      length += text.length
      onDelta(text)
    },
  })
  for await (const text of response.body.pipeThrough(new TextDecoderStream())) parser.feed(text)
  return { deltas, length }
}
