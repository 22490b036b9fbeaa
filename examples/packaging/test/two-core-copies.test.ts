import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { installConsumer, runConsumerScript } from '../src/consumer-project.js'
import { packPackage, restampTarball } from '../src/pack-package.js'

let root: string
let project: string

// What a user gets when @x/ralio and @x/relynt were released against different majors of
// @x/core: npm installs one copy at the top and nests the other under the SDK that needs it.
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'x-sdks-two-cores-'))
  const packed = join(root, 'packed')
  const releases = join(root, 'releases')
  project = join(root, 'consumer')
  await Promise.all([mkdir(packed), mkdir(releases), mkdir(project)])
  const [core, ralio, relynt, sandbox] = await Promise.all([
    packPackage('core', packed),
    packPackage('ralio', packed),
    packPackage('relynt', packed),
    packPackage('sandbox', packed),
  ])
  const [coreOne, coreTwo, ralioRelease, relyntRelease] = await Promise.all([
    restampTarball(core, { version: '1.0.0' }, releases),
    restampTarball(core, { version: '2.0.0' }, releases),
    restampTarball(ralio, { version: '1.4.0', dependencies: { '@x/core': '^1.0.0' } }, releases),
    restampTarball(relynt, { version: '2.1.0', dependencies: { '@x/core': '^2.0.0' } }, releases),
  ])
  await installConsumer(project, {
    dependencies: {
      '@x/ralio': `file:${ralioRelease}`,
      '@x/relynt': `file:${relyntRelease}`,
      '@x/sandbox': `file:${sandbox}`,
    },
    // Stands in for the registry, which would serve each SDK the @x/core its range asks for.
    overrides: {
      '@x/ralio': { '@x/core': `file:${coreOne}` },
      '@x/relynt': { '@x/core': `file:${coreTwo}` },
      // The sandbox uses core only for its command line; either copy serves it.
      '@x/sandbox': { '@x/core': `file:${coreOne}` },
    },
  })
})

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

it('recognises each SDK error by its own classes and by isInstance across two installed copies of @x/core', async () => {
  const report = JSON.parse(await runConsumerScript(project, 'error-identity.mjs'))
  // Really two copies, one per SDK.
  expect(report.coreVersions).toEqual({ ralio: '1.0.0', relynt: '2.0.0' })
  expect(report.separateCopies).toBe(true)
  // Errors produced through the wire by each sandbox.
  expect(report.names).toEqual({ ralio: 'RalioRegistrationError', relynt: 'AuthenticationError' })
  expect(report.ownInstanceof).toEqual({
    ralio: true,
    relynt: true,
    ralioBySdkErrorOfItsCore: true,
    relyntBySdkErrorOfItsCore: true,
  })
  expect(report.ownIsInstance).toEqual({ ralio: true, relynt: true })
  // instanceof cannot see across copies; the brand can.
  expect(report.acrossCopies).toEqual({
    relyntErrorIsSdkErrorOfRalioCore: true,
    ralioErrorIsSdkErrorOfRelyntCore: true,
    relyntErrorInstanceofRalioCore: false,
  })
  expect(report.noConfusion).toBe(true)
})
