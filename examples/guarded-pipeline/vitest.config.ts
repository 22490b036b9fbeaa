import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'guarded-pipeline',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
})
