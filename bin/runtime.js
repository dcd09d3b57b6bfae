#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (error) {
  process.stderr.write(`runtime: cannot start (${error?.message ?? error}). Run \`npm run build\` first.\n`);
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
