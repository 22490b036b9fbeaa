import { spawn, spawnSync } from 'node:child_process'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FileCredentialStore } from '../src/credentials/file-credential-store.node.js'
import { MemoryCredentialStore } from '../src/credentials/memory-credential-store.js'
import { RalioConfigError } from '../src/errors.js'
import { register } from '../src/register.js'
import { gate, temporaryDirectory } from './helpers.js'
import { type RalioSandbox, startSandbox } from './sandbox.js'

const registrationPath = '/api/credential-bindings/registrations'
const childScript = fileURLToPath(new URL('./fixtures/register-process.mjs', import.meta.url))

describe('registration is exclusive per folder', () => {
  let sandbox: RalioSandbox
  let dir: { path: string; cleanup: () => Promise<void> }
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(() => sandbox.close())
  beforeEach(async () => {
    dir = await temporaryDirectory()
  })
  afterEach(() => dir.cleanup())

  /** The losers keep their tickets: each still registers elsewhere. */
  async function expectUnspent(tickets: string[]) {
    for (const ticket of tickets) {
      const registration = await register({
        ticket,
        baseUrl: sandbox.url,
        credentialStore: new MemoryCredentialStore(),
      })
      expect(registration.clientId).toMatch(/^cb_/)
    }
  }

  it('lets one of three concurrent register() calls in a process win; the others fail before spending their tickets', async () => {
    const configDir = join(dir.path, 'ralio')
    // The winner's registration is held until both others have failed, so all three overlap.
    const held = gate()
    const gated: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input)
      if (new URL(url).pathname === registrationPath) await held.wait
      return fetch(input, init)
    }
    const tickets = [0, 1, 2].map(() => sandbox.mintTicket().ticket)
    const before = sandbox.stats().registrations
    let failed = 0
    const calls = tickets.map((ticket) =>
      register({ ticket, baseUrl: sandbox.url, configDir, fetch: gated }).catch((error: unknown) => {
        if (++failed === 2) held.open()
        throw error
      }),
    )
    const results = await Promise.allSettled(calls)
    const won = results.filter((result) => result.status === 'fulfilled')
    const lost = results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ index, error: result.reason }] : [],
    )
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(2)
    for (const { error } of lost) {
      expect(RalioConfigError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'registration_locked' })
      expect((error as Error).message).toMatch(/Another registration holds .*your ticket was not used/)
    }
    expect(sandbox.stats().registrations - before).toBe(1)
    await expect(stat(join(configDir, '.registration.lock'))).rejects.toMatchObject({ code: 'ENOENT' })
    await expectUnspent(lost.map(({ index }) => tickets[index]!))
  })

  it('lets one of three concurrent processes win; the others get registration_locked', async () => {
    const configDir = join(dir.path, 'ralio')
    const held = gate()
    const target = new URL(sandbox.url)
    // A loopback relay that holds the registration request until two processes have exited.
    const relay = createServer((incoming, outgoing) => {
      const forward = () => {
        const upstream = request(
          {
            hostname: target.hostname,
            port: target.port,
            path: incoming.url,
            method: incoming.method,
            headers: incoming.headers,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(outgoing)
          },
        )
        incoming.pipe(upstream)
      }
      if (incoming.url === registrationPath) void held.wait.then(forward)
      else forward()
    })
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
    const baseUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`
    try {
      const tickets = [0, 1, 2].map(() => sandbox.mintTicket().ticket)
      const before = sandbox.stats().registrations
      let exited = 0
      const outcomes = await Promise.all(
        tickets.map(
          (ticket) =>
            new Promise<{ ok: boolean; code?: string; clientId?: string }>((resolve, reject) => {
              const child = spawn(process.execPath, [childScript, configDir, baseUrl, ticket], {
                stdio: ['ignore', 'pipe', 'inherit'],
              })
              let output = ''
              child.stdout.on('data', (chunk: Buffer) => {
                output += chunk.toString()
              })
              child.once('error', reject)
              child.once('exit', () => {
                if (++exited === 2) held.open()
                try {
                  resolve(JSON.parse(output.trim().split('\n').pop() ?? ''))
                } catch {
                  reject(new Error(`a registering process printed no outcome: ${output}`))
                }
              })
            }),
        ),
      )
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1)
      expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.code)).toEqual([
        'registration_locked',
        'registration_locked',
      ])
      expect(sandbox.stats().registrations - before).toBe(1)
      const file = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8'))
      expect(file.client_id).toBe(outcomes.find((outcome) => outcome.ok)?.clientId)
      await expectUnspent(tickets.filter((_, index) => !outcomes[index]!.ok))
    } finally {
      held.open()
      await new Promise((resolve) => relay.close(resolve))
    }
  })

  async function writeLock(configDir: string, owner: Record<string, unknown> | string) {
    const store = new FileCredentialStore({ configDir })
    // Creates the folder the way a registration would.
    await (await store.lockRegistration()).release()
    await writeFile(
      join(configDir, '.registration.lock'),
      typeof owner === 'string' ? owner : JSON.stringify(owner),
      { mode: 0o600 },
    )
    return store
  }

  it('takes over a lock whose process on this host is gone', async () => {
    const configDir = join(dir.path, 'ralio')
    const gone = spawnSync(process.execPath, ['-e', '']).pid
    await writeLock(configDir, { pid: gone, host: hostname(), createdAt: new Date().toISOString() })
    const registration = await register({
      ticket: sandbox.mintTicket().ticket,
      baseUrl: sandbox.url,
      configDir,
    })
    expect(registration.clientId).toMatch(/^cb_/)
    await expect(stat(join(configDir, '.registration.lock'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('honours a fresh lock held from another host, naming it and the way out', async () => {
    const configDir = join(dir.path, 'ralio')
    await writeLock(configDir, { pid: 4242, host: 'build-07', createdAt: new Date().toISOString() })
    const ticket = sandbox.mintTicket().ticket
    const error = await register({ ticket, baseUrl: sandbox.url, configDir }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ code: 'registration_locked' })
    expect((error as Error).message).toContain('process 4242 on build-07')
    expect((error as Error).message).toContain(`delete ${join(configDir, '.registration.lock')}`)
    await expectUnspent([ticket])
  })

  it('takes over a lock older than ten minutes, and one that holds no owner record', async () => {
    const configDir = join(dir.path, 'ralio')
    const old = new Date(Date.now() - 11 * 60_000).toISOString()
    const store = await writeLock(configDir, { pid: 4242, host: 'build-07', createdAt: old })
    await (await store.lockRegistration()).release()
    await writeLock(configDir, 'not a lock record')
    await (await store.lockRegistration()).release()
  })

  it('releases the lock after a failed registration, and a held lock stops a second one in the same process', async () => {
    const configDir = join(dir.path, 'ralio')
    const store = new FileCredentialStore({ configDir })
    const held = await store.lockRegistration()
    await expect(new FileCredentialStore({ configDir }).lockRegistration()).rejects.toMatchObject({
      code: 'registration_locked',
    })
    await held.release()
    await expect(
      register({ ticket: 'ralio-reg-unknown', baseUrl: sandbox.url, configDir }),
    ).rejects.toMatchObject({
      code: 'invalid_ticket',
    })
    await (await store.lockRegistration()).release()
  })
})
