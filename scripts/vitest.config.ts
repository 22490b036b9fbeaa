import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'repo-scripts',
    include: ['test/**/*.test.ts'],
    // The API reference tests run typedoc, a few seconds each on a busy machine.
    testTimeout: 60_000,
  },
})
