import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'ralio-quickstart',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
})
