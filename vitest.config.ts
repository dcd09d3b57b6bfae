import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    coverage: {
      // `npm test -- --coverage` (CI): the runtime's own code, measured by V8.
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts', 'src/**/testing.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      // About a point under what the suite reached on 2026-12-06 (lines 89.5, statements 86.9,
      // functions 89.0, branches 78.1 %; a little lower without ../shared, whose corpus tests skip):
      // a drop fails CI; raise these when coverage rises.
      thresholds: { lines: 88, statements: 85, functions: 87, branches: 76 },
    },
  },
});
