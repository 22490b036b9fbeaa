/**
 * The idempotency key of one tool call: derived from the agent run (the Relynt client's
 * instance id), the tool and the framework's call id, so a framework that retries the same
 * call sends the same key and the gateway decides (and its connector runs) once. The run is
 * part of it because model call ids repeat across runs (`call_1`, `call-1`…).
 */
export async function toolCallKey(instanceId: string, toolName: string, toolCallId: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(`${instanceId}\n${toolName}\n${toolCallId}`),
    ),
  )
  const hex = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
