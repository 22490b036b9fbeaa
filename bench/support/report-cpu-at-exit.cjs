// Preloaded (`node --require`) into both sides of the start-up benchmark: writes the
// process's own CPU time at exit, a figure a busy machine disturbs far less than wall time.
process.on('exit', () => {
  const { user, system } = process.cpuUsage()
  process.stderr.write(`\ncpu-ms=${(user + system) / 1000}\n`)
})
