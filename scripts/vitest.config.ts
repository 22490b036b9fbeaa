import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'repo-scripts',
    include: ['test/**/*.test.ts'],
  },
})
