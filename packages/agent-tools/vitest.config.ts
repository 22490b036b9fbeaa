import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'agent-tools',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
