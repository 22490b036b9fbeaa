import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // beforeAll spawns the commands to register and chat: slow on a busy machine.
    hookTimeout: 120_000,
  },
})
