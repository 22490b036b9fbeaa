import { defineConfig } from 'vitest/config'

// One run over every package and example; each has its own vitest.config.ts project.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'scripts'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**'],
      reporter: ['text-summary', 'html'],
    },
  },
})
