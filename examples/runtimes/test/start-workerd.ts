import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { childEnvironment } from './run-child.js'

export interface RunningWorker {
  /** `http://127.0.0.1:<port>`, where workerd serves the Worker. */
  url: string
  /** What workerd printed so far, for failure messages. */
  output(): string
  stop(): Promise<void>
}

export interface WorkerBindings {
  /** Plain-text bindings (`env.NAME` is a string). */
  text: Record<string, string>
  /** JSON bindings (`env.NAME` is the parsed value). */
  json: Record<string, unknown>
}

/**
 * Serves one bundled ES-module Worker with workerd on a free loopback port. Its outbound
 * fetch may reach loopback ("local"), where the sandboxes listen; nothing in its
 * configuration turns on Node compatibility, so the bundle runs on Workers' own APIs.
 */
export async function startWorkerd(options: {
  workerd: string
  directory: string
  bundle: string
  bindings: WorkerBindings
  timeoutMs: number
}): Promise<RunningWorker> {
  const { directory } = options
  await writeFile(join(directory, 'worker.js'), options.bundle)
  const bindingLines: string[] = []
  for (const [name, value] of Object.entries(options.bindings.text)) {
    await writeFile(join(directory, `${name}.txt`), value)
    bindingLines.push(`(name = "${name}", text = embed "${name}.txt")`)
  }
  for (const [name, value] of Object.entries(options.bindings.json)) {
    await writeFile(join(directory, `${name}.json`), JSON.stringify(value))
    bindingLines.push(`(name = "${name}", json = embed "${name}.json")`)
  }
  await writeFile(
    join(directory, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-01",
  bindings = [
    ${bindingLines.join(',\n    ')}
  ],
);
`,
  )

  // workerd reports the port it bound on a control file descriptor, as JSON lines.
  const child = spawn(options.workerd, ['serve', 'config.capnp', '--control-fd=3'], {
    cwd: directory,
    env: childEnvironment({}),
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }

  const control = child.stdio[3]
  if (control === null || control === undefined || !('on' in control)) {
    await stop()
    throw new Error('workerd started without its control pipe')
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`workerd did not listen within ${options.timeoutMs} ms\n${output}`)),
        options.timeoutMs,
      )
      child.once('close', (code) => {
        clearTimeout(timer)
        reject(new Error(`workerd exited with ${code} before listening\n${output}`))
      })
      createInterface({ input: control as NodeJS.ReadableStream }).on('line', (line) => {
        const message = JSON.parse(line) as { event?: string; socket?: string; port?: number }
        if (message.event === 'listen' && message.socket === 'http' && message.port !== undefined) {
          clearTimeout(timer)
          resolve(message.port)
        }
      })
    })
    return { url: `http://127.0.0.1:${port}`, output: () => output, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
