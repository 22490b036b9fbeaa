import { existsSync } from 'node:fs'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's chromium (scripts/system-packages.txt installs it), or CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const haveChromium = existsSync(chromiumPath)

/** Headless Chromium with a profile of its own in `userDataDir`, nothing phoning home. */
export function launchChromium(
  userDataDir: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    ...(options.viewport === undefined ? {} : { viewport: options.viewport }),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
