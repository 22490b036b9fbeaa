import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'packaging',
    include: ['test/**/*.test.ts'],
    // Packing and a real `npm install` take tens of seconds; each step is bounded on its own too.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
})
