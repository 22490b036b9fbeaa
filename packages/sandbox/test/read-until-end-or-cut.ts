/** Reads a body to the end, or until the connection breaks; reports which. */
export async function readUntilEndOrCut(response: Response): Promise<{ text: string; cut: boolean }> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { text, cut: false }
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    return { text, cut: true }
  }
}
