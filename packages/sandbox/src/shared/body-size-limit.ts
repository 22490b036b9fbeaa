import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'

/** The largest request body either sandbox reads, on every route (admin routes included). */
export const maxRequestBodyBytes = 1024 * 1024

/**
 * Answers 413 with `errorBody(message)` as JSON to a body larger than `maxRequestBodyBytes`,
 * declared or streamed, before any handler buffers it; the connection is then closed so the
 * rest of the upload is not read.
 */
export function bodySizeLimit(errorBody: (message: string) => unknown): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxRequestBodyBytes,
    onError: (c) => {
      c.header('Connection', 'close')
      return c.json(errorBody(`The request body is larger than ${maxRequestBodyBytes} bytes`) as object, 413)
    },
  })
}
