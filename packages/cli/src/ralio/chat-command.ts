import { visibleText } from '@x/core/internal/terminal'
import { RalioClient } from '@x/ralio'
import type { CommandContext } from '../cli/command-spec.js'
import { ExitCode } from '../cli/exit-codes.js'
import { readStandardInput } from '../cli/parse-values.js'
import type { Spinner } from '../cli/spinner.js'
import { ralioOptions } from './ralio-options.js'

export async function run(context: CommandContext): Promise<number> {
  const { values, positionals, signal, output } = context
  const { baseUrl, configDir } = ralioOptions(values)
  await using client = new RalioClient({ baseUrl, configDir })
  // `-` reads the message from standard input: `x-ralio chat - < request.txt`.
  const message = positionals[0] === '-' ? (await readStandardInput()).trim() : positionals[0]!
  const stream = client.chat.stream({
    message,
    conversationId: values.conversation as string | undefined,
    agentId: values.agent as string | undefined,
    signal,
  })
  context.interruptNote =
    'The message may already have reached the agent, which may have acted on it: check `x-ralio intents` before sending it again.'

  const { errorColor } = output
  let spinner: Spinner | undefined = output.json ? undefined : output.spinner('Waiting for the agent…')
  let streamedText = false
  try {
    for await (const event of stream) {
      if (output.json) {
        const { raw: _raw, ...printable } = event
        output.writeJson(printable)
        continue
      }
      spinner?.stop()
      spinner = undefined
      switch (event.event) {
        case 'tool_started':
          spinner = output.spinner(`Running ${visibleText(event.data.toolName ?? 'a tool')}…`)
          break
        case 'tool_completed':
          output.note(
            errorColor.dim(`  ${errorColor.green('✔')} ${visibleText(event.data.toolName ?? 'a tool')}`),
          )
          break
        case 'tool_failed':
          output.note(
            errorColor.dim(
              `  ${errorColor.red('✖')} ${visibleText(`${event.data.toolName}: ${describeToolError(event.data.error)}`)}`,
            ),
          )
          break
        case 'text_delta':
          // The agent's words, line breaks and all; anything that would drive the terminal is shown.
          output.stdout.write(visibleText(event.text, { multiline: true }))
          streamedText = true
          break
        case 'reply':
          // The reply repeats the deltas; print it only when nothing was streamed.
          output.line(streamedText ? '' : visibleText(event.text, { multiline: true }))
          break
      }
    }
  } finally {
    spinner?.stop()
  }
  if (!output.json && stream.conversationId !== undefined) {
    const conversationId = visibleText(stream.conversationId)
    output.note(
      errorColor.dim(`Conversation ${conversationId} — continue with: x-ralio chat -c ${conversationId} "…"`),
    )
  }
  return ExitCode.ok
}

function describeToolError(error: unknown): string {
  if (typeof error === 'string') return error
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message
  }
  return JSON.stringify(error) ?? 'failed'
}
