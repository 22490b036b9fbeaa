import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'ai-sdk-agent',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
})
