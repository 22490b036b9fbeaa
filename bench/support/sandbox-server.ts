import { startRalioSandbox, startRelyntSandbox } from '@x/sandbox'

// Runs both sandboxes in their own process so a benchmark's client and server do not share
// one event loop (and, on a machine with two cores or more, one core). Prints one JSON line
// with the origins and the admin token; stops when its standard input closes.
const ralio = await startRalioSandbox()
// One token for both admin APIs, as the x-sandbox command does.
const relynt = await startRelyntSandbox({ adminToken: ralio.adminToken })
process.stdout.write(
  `${JSON.stringify({ ralioUrl: ralio.url, relyntUrl: relynt.url, adminToken: ralio.adminToken })}\n`,
)

const stop = async () => {
  await Promise.all([ralio.close(), relynt.close()])
  process.exit(0)
}
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
