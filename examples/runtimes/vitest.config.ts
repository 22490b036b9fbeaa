import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'runtimes',
    include: ['test/**/*.test.ts'],
    // Each test starts a runtime as a child process; the first start of one may be slow on
    // a busy machine. The children are killed when a test ends, whatever happened.
    testTimeout: 90_000,
    hookTimeout: 30_000,
  },
})
