/**
 * Passes an SSE body through until `events` complete events (blocks ended by an empty
 * line, with LF, CRLF or CR line endings) have gone by, then calls `cut` instead of
 * delivering anything more. The caller's `cut` tears down the connection, so the client
 * sees a stream that stops mid-way with no terminal event.
 */
export function cutStreamAfterEvents(
  body: ReadableStream<Uint8Array>,
  events: number,
  cut: () => Promise<void>,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let seen = 0
  let lineLength = 0
  let blockHasLines = false
  let lastWasCarriageReturn = false
  let cutting: Promise<void> | undefined

  const startCut = () => {
    cutting ??= (async () => {
      // The source will never be read again; let its producer stop.
      await reader.cancel().catch(() => {})
      await cut()
    })()
    return cutting
  }

  /** Index just past the boundary that completes the last allowed event, if in `text`. */
  const findCutIndex = (text: string): number | undefined => {
    for (let index = 0; index < text.length; index++) {
      const character = text[index]
      if (character === '\n' && lastWasCarriageReturn) {
        // Second half of a CRLF whose CR already ended the line.
        lastWasCarriageReturn = false
        continue
      }
      if (character === '\n' || character === '\r') {
        lastWasCarriageReturn = character === '\r'
        if (lineLength === 0 && blockHasLines) {
          blockHasLines = false
          seen += 1
          if (seen >= events) {
            const withLineFeed = character === '\r' && text[index + 1] === '\n'
            return index + (withLineFeed ? 2 : 1)
          }
        } else if (lineLength > 0) {
          blockHasLines = true
        }
        lineLength = 0
        continue
      }
      lastWasCarriageReturn = false
      lineLength += 1
    }
    return undefined
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (cutting !== undefined || seen >= events) {
        await startCut()
        return
      }
      const { done, value } = await reader.read()
      if (done) {
        // Fewer events than the rule allows: the stream ends normally.
        controller.close()
        return
      }
      const text = decoder.decode(value, { stream: true })
      const cutIndex = findCutIndex(text)
      if (cutIndex === undefined) {
        controller.enqueue(encoder.encode(text))
        return
      }
      controller.enqueue(encoder.encode(text.slice(0, cutIndex)))
      // The cut happens on the next pull, after the server has written this chunk.
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}
