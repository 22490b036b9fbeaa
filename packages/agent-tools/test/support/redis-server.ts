import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Whether the tests that need a real Redis can run here. In CI they must: a missing
 * `redis-server` fails the run there (scripts/system-packages.txt installs it); elsewhere the
 * tests are skipped with the reason printed.
 */
export const redisAvailable = (() => {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
  if (!found && process.env.CI === 'true') {
    throw new Error(
      'redis-server is not installed: CI must run the Redis tests (apt-get install redis-server).',
    )
  }
  if (!found) {
    console.warn('SKIPPING the Redis tests: redis-server is not installed (apt-get install redis-server).')
  }
  return found
})()

export interface RedisServer {
  url: string
  port: number
  /** Stops the server (SIGTERM); its data stays on disk for {@link RedisServer.start}. */
  stop(): Promise<void>
  /** Starts it again on the same port with the data it had (append-only file, fsync on every write). */
  start(): Promise<void>
  /** Stops it and removes its data. */
  close(): Promise<void>
}

/** A real `redis-server` on a free 127.0.0.1 port, its data in a temporary directory. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'agent-tools-redis-'))
  let child: ChildProcess | undefined
  const start = async () => {
    const started = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = started
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start in 10 s:\n${output}`)),
        10_000,
      )
      started.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer)
          resolve()
        }
      })
      started.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`redis-server exited with ${code}:\n${output}`))
      })
    })
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve())
      running.kill('SIGTERM')
    })
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
