#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
import('../dist/cli/main.js').catch((error) => {
  process.stderr.write(`runtime: cannot start (${error?.message ?? error}). Run \`npm run build\` first.\n`);
  process.exit(2);
});
