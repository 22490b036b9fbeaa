/**
 * The idempotency key of one tool call: derived from the session (an MCP session, or the
 * agent run), the tool and the host's call id, so a host that retries the same call sends the
 * same key and the gateway decides once: a retry finds the approval the first try opened
 * instead of asking a person again. The session is part of it because model call ids repeat
 * across sessions (`call_1`, `call-1`…).
 */
export async function toolCallKey(sessionId: string, toolName: string, toolCallId: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(`${sessionId}\n${toolName}\n${toolCallId}`),
    ),
  )
  const hex = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
