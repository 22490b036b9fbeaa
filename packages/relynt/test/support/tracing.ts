import { context, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'

export interface Tracing {
  provider: NodeTracerProvider
  spans(): ReadableSpan[]
  reset(): void
  stop(): Promise<void>
}

/**
 * An OpenTelemetry SDK provider exporting to memory. `global` registers it (with the
 * AsyncLocalStorage context manager) as an application would; otherwise it is only passed
 * to a client as `tracerProvider`.
 */
export function startTracing({ global = true } = {}): Tracing {
  const exporter = new InMemorySpanExporter()
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  if (global) provider.register()
  return {
    provider,
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async stop() {
      await provider.shutdown()
      if (global) {
        trace.disable()
        context.disable()
      }
    },
  }
}

export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.find((span) => span.name === name)
  if (found === undefined)
    throw new Error(`no span ${name} among ${spans.map((span) => span.name).join(', ')}`)
  return found
}

export function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
}
