import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The build test runs tsup, tsc and the generated package's own vitest: allow for a slow, busy machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
