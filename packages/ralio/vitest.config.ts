import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: {
    // Tests run the sources; package.json `imports` points at the built file store.
    alias: {
      '#file-store': fileURLToPath(
        new URL('./src/credentials/file-credential-store.node.ts', import.meta.url),
      ),
    },
  },
  test: {
    name: 'ralio',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
